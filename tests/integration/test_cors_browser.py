"""A page on another origin calls the gateway from headless Chromium: CORS and the WebSocket origin check."""

from __future__ import annotations

import functools
import http.server
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.http.webhooks import org_secret
from gateway.sandbox import RAW_DATA_ORG_ID
from tests.integration.cdp import Page, browser_page
from tests.integration.servers import listening_socket, process, serving

pytestmark = pytest.mark.integration

SECRET = "cors-secret"
# Plain browser APIs, no library: fetch for a query and a mutation, graphql-transport-ws by hand.
PAGE = """<!doctype html><html><body><pre id="out">pending</pre><script>
const GW = "%(gateway)s";
const out = {};
const show = () => { document.getElementById("out").textContent = JSON.stringify(out); };
async function post(name, query) {
  try {
    const r = await fetch(GW + "/graphql", {method: "POST", credentials: "include",
      headers: {"content-type": "application/json", "x-request-id": "from-the-page"},
      body: JSON.stringify({query})});
    const h = r.headers;
    out[name] = {status: r.status, etag: h.get("etag"), rid: h.get("x-request-id"), body: await r.json()};
  } catch (e) { out[name] = {blocked: String(e)}; }
  show();
}
function subscribe() {
  const ws = new WebSocket(GW.replace("http", "ws") + "/graphql", "graphql-transport-ws");
  ws.onopen = () => ws.send(JSON.stringify({type: "connection_init", payload: {}}));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      ws.send(JSON.stringify({id: "1", type: "subscribe",
        payload: {query: "subscription { projectChanged { projectId event } }"}}));
    } else if (message.type === "next") {
      out.subscription = message.payload; show(); ws.close();
    }
  };
  ws.onclose = (event) => { if (!out.subscription) { out.subscription = {closed: event.code}; show(); } };
}
post("query", "{ org { name } }");
post("mutation", 'mutation { createWebhook(input: {endpoint: "https://me.test/hook"}) { id endpoint } }');
subscribe();
</script></body></html>
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def page_server(gateway: str) -> Iterator[int]:
    """The page above, served on its own port (its origin is another port, or another host name)."""
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "page.html").write_text(PAGE % {"gateway": gateway})
        handler = functools.partial(_QuietHandler, directory=root)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server.server_address[1]
        finally:
            server.shutdown()
            server.server_close()


@contextmanager
def webhooks(gateway: str) -> Iterator[None]:
    """Project changes posted to the receiver until the block ends, so a subscriber gets one."""
    stop = threading.Event()

    def post() -> None:
        while not stop.wait(0.2):
            httpx.post(
                f"{gateway}/webhooks/opensolar/{RAW_DATA_ORG_ID}",
                headers={"X-Solar-Gateway-Secret": org_secret(SECRET, RAW_DATA_ORG_ID)},
                json={"model": "Project", "model_id": 3001, "event": "UPDATE", "fields": {"title": "renamed"}},
            )

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_page(page: Page, url: str) -> dict[str, Any]:
    page.goto(url)
    done = page.wait_for("typeof out === 'object' && Object.keys(out).length === 3 && JSON.stringify(out)")
    assert done, page.evaluate("document.body.innerText")
    result: dict[str, Any] = json.loads(done)
    return result


def test_a_listed_origin_queries_mutates_and_subscribes_and_another_is_refused() -> None:
    with listening_socket() as sock:
        gateway = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with page_server(gateway) as page_port:
            env = {"GATEWAY_CORS_ORIGINS": f"http://localhost:{page_port}", "GATEWAY_WEBHOOK_SECRET": SECRET}
            with (
                process(
                    ["serve", "--fd", str(sock.fileno())], f"{gateway}/healthz", env=env, pass_fds=(sock.fileno(),)
                ),
                webhooks(gateway),
                browser_page() as page,
            ):
                listed = run_page(page, f"http://localhost:{page_port}/page.html")
                # the same page on 127.0.0.1 is another origin, and that one is not listed
                refused = run_page(page, f"http://127.0.0.1:{page_port}/page.html")

    query = listed["query"]
    assert query["status"] == 200 and query["body"]["data"]["org"]["name"].startswith("Sunrise Solar Co")
    assert query["etag"] and query["rid"]  # exposed to the page's script
    mutation = listed["mutation"]
    assert mutation["status"] == 200 and mutation["body"]["data"]["createWebhook"]["endpoint"] == "https://me.test/hook"
    assert listed["subscription"]["data"]["projectChanged"] == {"projectId": "3001", "event": "UPDATE"}

    assert set(refused) == {"query", "mutation", "subscription"}
    assert "blocked" in refused["query"] and "blocked" in refused["mutation"]  # the preflight found no grant
    assert refused["subscription"] == {"closed": 1006}  # the handshake was refused (403)


def test_preflight_is_answered_before_auth_and_unlisted_origins_get_no_grant() -> None:
    env = {"GATEWAY_CORS_ORIGINS": "https://app.example.com, https://*.preview.example.com"}
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    with serving(["serve"], "/healthz", env=env) as (_, gateway):
        for origin in ("https://app.example.com", "https://pr-7.preview.example.com"):
            answer = httpx.options(f"{gateway}/graphql", headers={"Origin": origin, **preflight})
            assert answer.status_code == 200
            assert answer.headers["access-control-allow-origin"] == origin
            assert answer.headers["access-control-allow-credentials"] == "true"
            assert "authorization" in answer.headers["access-control-allow-headers"].lower()
        for origin in ("https://evil.example.com", "https://app.example.com.evil.test", "http://app.example.com"):
            answer = httpx.options(f"{gateway}/graphql", headers={"Origin": origin, **preflight})
            assert answer.status_code == 400 and "access-control-allow-origin" not in answer.headers
        posted = httpx.post(
            f"{gateway}/graphql", json={"query": "{ org { name } }"}, headers={"Origin": "https://app.example.com"}
        )
        assert posted.headers["access-control-allow-origin"] == "https://app.example.com"
        assert {h.strip().lower() for h in posted.headers["access-control-expose-headers"].split(",")} >= {
            "etag",
            "x-request-id",
        }
        assert "origin" in posted.headers["vary"].lower()
