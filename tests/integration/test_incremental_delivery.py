"""Incremental delivery: ``@defer`` and ``@stream`` over HTTP multipart and over WebSocket, with the real app.

A project page renders its project at once and gets its Arcadia incentives when they arrive: the
first part leaves before the Arcadia call has answered (proved by the sandbox's counters at the
moment each part is read, over a real socket). Parts pass the front door's checks once, are never
stored in the response cache, never compressed, and a client that cannot read them gets 406.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from graphql import Lexer, Source, TokenKind

from gateway.app import create_app
from gateway.sandbox import RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState
from tests.clock import FakeClock, use_clock
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings
from tests.integration.live import serving, subscriber

pytestmark = pytest.mark.integration

MULTIPART = "multipart/mixed; deferSpec=20220824, application/json"
PROJECT_PAGE = """query ProjectPage($id: ID!) {
  org { project(id: $id) { id title
    ... @defer(label: "incentives") {
      incentives { systems { system { id kwStc } totals { eligibility amount incentiveCount } } }
    }
  } }
}"""
PLAIN_PAGE = PROJECT_PAGE.replace(' @defer(label: "incentives")', "")
DEPTH = 5  # what the depth rule measures for DEEP (the deferred fragment's fields count as any others)
STREAMED = "query Stream { org { projects(first: 5) { nodes @stream(initialCount: 2) { id title } } } }"


def project_id(sandbox: SandboxState) -> str:
    return str(next(iter(sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids)))


def parts_of(body: bytes) -> list[dict[str, Any]]:
    """The JSON parts of a ``multipart/mixed; boundary="-"`` body (each part has its own headers)."""
    assert body.startswith(b"---") and body.endswith(b"-----\r\n"), body[-40:]
    chunks = body[3:-7].split(b"\r\n---")
    return [orjson.loads(chunk.split(b"\r\n\r\n", 1)[1]) for chunk in chunks]


def arcadia_answered(sandbox: SandboxState) -> int:
    return sum(n for key, n in sandbox.statuses.items() if key.startswith("arcadia."))


def arcadia_asked(sandbox: SandboxState) -> int:
    return sum(n for key, n in sandbox.counts.items() if key.startswith("arcadia."))


async def post(
    gateway: Gateway, query: str, variables: dict[str, Any] | None = None, accept: str = MULTIPART, **extra: Any
) -> httpx.Response:
    body = {"query": query, "variables": variables or {}, **extra}
    return await gateway.client.post("/graphql", json=body, headers={"accept": accept})


def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The complete answer the parts add up to (defer data merged at its path, streamed items appended)."""
    data: dict[str, Any] = parts[0]["data"]
    for part in parts[1:]:
        for entry in part.get("incremental", ()):
            target: Any = data
            for key in entry["path"]:
                target = target[key]
            if "items" in entry:
                target.extend(entry["items"])
            else:
                target.update(entry["data"])
    return data


async def test_the_project_comes_first_and_its_incentives_when_arcadia_answers() -> None:
    sandbox = SandboxState(SandboxConfig())
    sandbox.faults.append(Fault(route="arcadia.*", delay_s=2.0))  # Arcadia is slow; OpenSolar is not
    body = {"query": PROJECT_PAGE, "variables": {"id": project_id(sandbox)}}
    # a client that would take compression: the parts still come as they are, one by one
    headers = {"accept": MULTIPART, "accept-encoding": "br, gzip"}
    seen: list[tuple[bytes, int, int]] = []  # (bytes so far, Arcadia calls asked, Arcadia calls answered)
    async with (
        serving(create_app(sandbox_settings(), sandbox=sandbox)) as live,
        live.http.stream("POST", "/graphql", json=body, headers=headers) as response,
    ):
        assert response.headers["content-type"] == 'multipart/mixed; boundary="-"; deferSpec=20220824'
        assert "content-encoding" not in response.headers and "etag" not in response.headers
        received = b""
        async for chunk in response.aiter_raw():
            received += chunk
            seen.append((received, arcadia_asked(sandbox), arcadia_answered(sandbox)))
    first = next((asked, answered) for so_far, asked, answered in seen if b'"hasNext":true' in so_far)
    assert first[1] == 0  # the project was out before any Arcadia call had answered
    parts = parts_of(received)
    assert parts[0]["data"]["org"]["project"]["title"] and "incentives" not in parts[0]["data"]["org"]["project"]
    assert parts[0]["pending"] == [{"id": "0", "path": ["org", "project"], "label": "incentives"}]
    assert parts[-1]["hasNext"] is False and arcadia_answered(sandbox) >= 1
    [later] = [entry for part in parts[1:] for entry in part.get("incremental", ())]
    assert later["path"] == ["org", "project"] and later["label"] == "incentives"
    assert later["data"]["incentives"]["systems"][0]["totals"][0]["amount"] > 0


async def test_the_parts_add_up_to_the_plain_answer(gateway: Gateway) -> None:
    variables = {"id": project_id(gateway.sandbox)}
    deferred = await post(gateway, PROJECT_PAGE, variables)
    plain = await post(gateway, PLAIN_PAGE, variables, accept="application/json")
    assert deferred.status_code == 200 and plain.status_code == 200
    parts = parts_of(deferred.content)
    assert len(parts) == 2 and [p["hasNext"] for p in parts] == [True, False]
    assert merged(parts) == plain.json()["data"]


async def test_a_list_streams_its_items_after_the_first_ones(gateway: Gateway) -> None:
    streamed = await post(gateway, STREAMED)
    plain = await post(gateway, STREAMED.replace(" @stream(initialCount: 2)", ""), accept="application/json")
    parts = parts_of(streamed.content)
    assert len(parts[0]["data"]["org"]["projects"]["nodes"]) == 2 and parts[0]["hasNext"] is True
    items = [item for part in parts[1:] for entry in part.get("incremental", ()) for item in entry["items"]]
    assert len(items) == 3 and parts[-1]["hasNext"] is False
    assert merged(parts) == plain.json()["data"]


async def test_over_websocket_each_part_is_a_next_message() -> None:
    sandbox = SandboxState(SandboxConfig())
    token = sandbox.data.orgs[RAW_DATA_ORG_ID].token
    async with serving(create_app(sandbox_settings(), sandbox=sandbox)) as live, subscriber(live, token) as ws:
        await ws.subscribe(PROJECT_PAGE, variables={"id": project_id(sandbox)})
        first, later, done = await ws.receive(), await ws.receive(), await ws.receive()
        await ws.subscribe(STREAMED, id="2")
        streamed = [await ws.receive()]
        while streamed[-1]["type"] != "complete":
            streamed.append(await ws.receive())
    assert first["type"] == "next" and first["payload"]["hasNext"] is True
    assert first["payload"]["data"]["org"]["project"]["title"]
    assert later["type"] == "next" and later["payload"]["hasNext"] is False
    assert later["payload"]["incremental"][0]["data"]["incentives"]["systems"]
    assert done == {"id": "1", "type": "complete"}
    nexts = [m["payload"] for m in streamed if m["type"] == "next"]
    assert len(nexts[0]["data"]["org"]["projects"]["nodes"]) == 2
    assert sum(len(e["items"]) for p in nexts[1:] for e in p.get("incremental", ())) == 3


async def test_an_arcadia_failure_is_coded_in_its_part_and_the_project_stays(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="arcadia.*", status=500))
    parts = parts_of((await post(gateway, PROJECT_PAGE, {"id": project_id(gateway.sandbox)})).content)
    assert parts[0]["data"]["org"]["project"]["title"] and "errors" not in parts[0]
    [later] = parts[1]["incremental"]
    assert later["data"] == {"incentives": None}
    assert [e["extensions"]["code"] for e in later["errors"]] == ["UPSTREAM_UNAVAILABLE"]


async def test_an_unexpected_error_in_a_later_part_is_masked_and_logged(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from schema.opensolar import projects

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret upstream detail")

    monkeypatch.setattr(projects, "project_incentives", broken)
    with caplog.at_level(logging.ERROR, logger="gateway.graphql"):
        response = await post(gateway, PROJECT_PAGE, {"id": project_id(gateway.sandbox)})
    parts = parts_of(response.content)
    assert parts[0]["data"]["org"]["project"]["title"]
    [error] = parts[1]["incremental"][0]["errors"]
    assert error == {**error, "message": "Unexpected error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    assert "secret" not in response.text and any(r.exc_info for r in caplog.records)


async def test_the_deadline_bounds_a_deferred_part(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    sandbox.faults.append(Fault(route="arcadia.*", delay_s=3600))  # never answers
    settings = sandbox_settings(GATEWAY_REQUEST_DEADLINE_S=0.5, GATEWAY_RETRY_ATTEMPTS=1)
    async with gateway_factory(settings, sandbox) as gateway:
        parts = parts_of((await post(gateway, PROJECT_PAGE, {"id": project_id(sandbox)})).content)
    assert parts[0]["data"]["org"]["project"]["title"]
    codes = {e["extensions"]["code"] for e in parts[1]["incremental"][0]["errors"]}
    assert codes == {"UPSTREAM_TIMEOUT"} and arcadia_answered(sandbox) == 0


async def test_over_websocket_the_deadline_bounds_a_deferred_part() -> None:
    # a socket's context has no request deadline of its own: each query gets one when it executes
    sandbox = SandboxState(SandboxConfig())
    sandbox.faults.append(Fault(route="arcadia.*", delay_s=3600))  # never answers
    token = sandbox.data.orgs[RAW_DATA_ORG_ID].token
    app = create_app(sandbox_settings(GATEWAY_REQUEST_DEADLINE_S=0.5, GATEWAY_RETRY_ATTEMPTS=1), sandbox=sandbox)
    async with serving(app) as live, subscriber(live, token) as ws:
        await ws.subscribe(PROJECT_PAGE, variables={"id": project_id(sandbox)})
        first, later = await ws.receive(), await ws.receive()
    assert first["payload"]["data"]["org"]["project"]["title"]
    codes = {e["extensions"]["code"] for e in later["payload"]["incremental"][0]["errors"]}
    assert codes == {"UPSTREAM_TIMEOUT"} and arcadia_answered(sandbox) == 0


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json", "*/*", ""])
async def test_a_client_that_cannot_read_parts_gets_406_before_anything_runs(gateway: Gateway, accept: str) -> None:
    response = await post(gateway, PROJECT_PAGE, {"id": project_id(gateway.sandbox)}, accept=accept)
    assert response.status_code == 406 and response.headers["content-type"].startswith("application/")
    assert errors_by_code(response.json()).keys() == {"DEFER_BAD_HEADER"}
    assert gateway.sandbox.total_calls == 0
    off = PROJECT_PAGE.replace('@defer(label: "incentives")', "@defer(if: false)")
    whole = await post(gateway, off, {"id": project_id(gateway.sandbox)}, accept=accept)
    assert whole.status_code == 200 and whole.json()["data"]["org"]["project"]["incentives"]["systems"]


async def test_parts_are_never_stored_nor_served_from_the_response_cache(gateway: Gateway) -> None:
    cache = gateway.runtime.caches.responses
    assert cache is not None
    variables = {"id": project_id(gateway.sandbox)}
    plain = await post(gateway, PLAIN_PAGE, variables, accept="application/json")
    assert cache.stats["stores"] == 1 and plain.headers["etag"]
    for _ in range(2):  # the same deferred request twice: parts both times, nothing stored or looked up
        deferred = await post(gateway, PROJECT_PAGE, variables)
        assert deferred.headers["content-type"].startswith("multipart/mixed") and "etag" not in deferred.headers
        assert len(parts_of(deferred.content)) == 2
    assert cache.stats["stores"] == 1 and cache.stats["hits"] == 0
    again = await post(gateway, PLAIN_PAGE, variables, accept="application/json")
    assert again.content == plain.content and cache.stats["hits"] == 1  # the plain answer, as stored
    refused = await post(gateway, PROJECT_PAGE, variables, accept="application/json")
    assert refused.status_code == 406 and cache.stats["stores"] == 1


async def test_reads_served_stale_are_listed_in_the_part_that_carries_them(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    ttls = {"project": 0.2, "systems": 0.2, "contacts": 0.2, "org": 0.2}
    settings = sandbox_settings(GATEWAY_CACHE_TTLS=ttls, GATEWAY_RETRY_ATTEMPTS=1, GATEWAY_RESPONSE_CACHE="false")
    query = """query Split($id: ID!) {
      org { project(id: $id) { title } ... @defer(label: "later") { contacts(first: 1) { nodes { id } } } }
    }"""
    async with gateway_factory(settings, sandbox) as gateway:
        use_clock(gateway.runtime, clock := FakeClock())
        variables = {"id": project_id(sandbox)}
        fresh = parts_of((await post(gateway, query, variables)).content)
        clock.advance(0.3)  # both reads past their TTL, inside the stale-if-error window
        sandbox.faults.append(Fault(route="opensolar.*", status=503))
        stale = parts_of((await post(gateway, query, variables)).content)
    assert merged(stale) == merged(fresh) and all("stale" not in part.get("extensions", {}) for part in fresh)
    listed = [
        [read["resource"].split("?")[0] for read in part.get("extensions", {}).get("stale", ())] for part in stale
    ]
    project = f"/api/orgs/{RAW_DATA_ORG_ID}/projects/{variables['id']}/"
    contacts = f"/api/orgs/{RAW_DATA_ORG_ID}/contacts/"
    assert project in listed[0]  # the first part's own read, listed with the first part
    everywhere = [resource for part in listed for resource in part]
    assert sorted(everywhere) == sorted([project, contacts])  # the deferred read too, each listed once


def varies_on(response: httpx.Response) -> set[str]:
    return {name.strip().lower() for value in response.headers.get_list("vary") for name in value.split(",")}


async def test_every_answer_says_it_varies_on_the_media_type_and_the_credential(gateway: Gateway) -> None:
    variables = {"id": project_id(gateway.sandbox)}
    answers = {
        "fresh": await post(gateway, PLAIN_PAGE, variables, accept="application/json"),
        "stored": await post(gateway, PLAIN_PAGE, variables, accept="application/graphql-response+json"),
        "parts": await post(gateway, PROJECT_PAGE, variables),
        "refused (406)": await post(gateway, PROJECT_PAGE, variables, accept="application/json"),
    }
    cache = gateway.runtime.caches.responses
    assert cache is not None and cache.stats["hits"] == 1  # "stored" was served from the response cache
    assert answers["parts"].headers["content-type"].startswith("multipart/mixed")
    assert answers["refused (406)"].status_code == 406
    for kind, response in answers.items():
        assert {"accept", "authorization", "x-api-key"} <= varies_on(response), kind


async def test_a_persisted_deferred_query_by_hash_streams_every_time(gateway: Gateway) -> None:
    cache = gateway.runtime.caches.responses
    assert cache is not None
    digest = hashlib.sha256(PROJECT_PAGE.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    variables = {"id": project_id(gateway.sandbox)}
    registered = await post(gateway, PROJECT_PAGE, variables, extensions=persisted)
    assert len(parts_of(registered.content)) == 2
    for _ in range(2):  # by hash alone (the text is unknown until resolved): looked up, never found
        response = await gateway.client.post(
            "/graphql", json={"variables": variables, "extensions": persisted}, headers={"accept": MULTIPART}
        )
        assert len(parts_of(response.content)) == 2
    assert cache.stats["stores"] == 0 and cache.stats["hits"] == 0


async def test_front_door_checks_run_once_per_deferred_request(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(GATEWAY_RATE_LIMIT="2/minute"), sandbox) as gateway:
        variables = {"id": project_id(sandbox)}
        for _ in range(2):  # at the limit: each deferred request spends the quota once
            assert len(parts_of((await post(gateway, PROJECT_PAGE, variables)).content)) == 2
        calls = sandbox.total_calls
        over = await post(gateway, PROJECT_PAGE, variables)
    assert over.status_code == 429 and errors_by_code(over.json()).keys() == {"THROTTLED"}
    assert sandbox.total_calls == calls


async def deferred_codes(gateway: Gateway, query: str) -> set[str]:
    response = await post(gateway, query)
    if response.headers["content-type"].startswith("multipart/mixed"):
        assert parts_of(response.content)[-1]["hasNext"] is False
        return set()
    return set(errors_by_code(response.json()))


# the deferred fragment holds all the depth, both aliases and nearly all the cost
DEEP = (
    'query Deep { org { project(id: "3001") { id ... @defer { contacts { projects { contacts { a: id b: id } } } } '
    "} } }"
)


def tokens_of(query: str) -> int:
    lexer, count = Lexer(Source(query)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


async def cost_of(gateway_factory: GatewayFactory, query: str) -> int:
    async with gateway_factory(sandbox_settings(GATEWAY_MAX_COST=1)) as gateway:
        [error] = (await post(gateway, query)).json()["errors"]
    cost: int = error["extensions"]["cost"]
    return cost


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ("GATEWAY_MAX_DEPTH", "MAX_DEPTH_EXCEEDED"),
        ("GATEWAY_MAX_ALIASES", "MAX_ALIASES_EXCEEDED"),
        ("GATEWAY_MAX_COST", "COST_LIMIT_EXCEEDED"),
        ("GATEWAY_MAX_TOKENS", "MAX_TOKENS_EXCEEDED"),
    ],
)
async def test_limits_count_what_is_deferred_at_and_past_the_limit(
    gateway_factory: GatewayFactory, setting: str, code: str
) -> None:
    at_limit = {
        "GATEWAY_MAX_DEPTH": DEPTH,
        "GATEWAY_MAX_ALIASES": 2,
        "GATEWAY_MAX_COST": await cost_of(gateway_factory, DEEP),
        "GATEWAY_MAX_TOKENS": tokens_of(DEEP),
    }[setting]
    async with gateway_factory(sandbox_settings(**{setting: at_limit})) as gateway:
        assert await deferred_codes(gateway, DEEP) == set()
    async with gateway_factory(sandbox_settings(**{setting: at_limit - 1})) as gateway:
        assert code in await deferred_codes(gateway, DEEP)
        assert gateway.sandbox.total_calls == 0


@pytest.mark.parametrize(("initial", "ok"), [(0, True), (100, True), (101, False), (-1, False)])
async def test_stream_initial_count_is_bounded_by_the_largest_page(gateway: Gateway, initial: int, ok: bool) -> None:
    literal = await post(gateway, STREAMED.replace("initialCount: 2", f"initialCount: {initial}"))
    variable = await post(
        gateway,
        STREAMED.replace("query Stream", "query Stream($n: Int)").replace("initialCount: 2", "initialCount: $n"),
        {"n": initial},
    )
    for response in (literal, variable):
        if ok:
            assert response.status_code == 200 and b"errors" not in response.content
        else:
            assert errors_by_code(response.json()).keys() == {"BAD_USER_INPUT"}


async def test_the_readmes_example_is_what_the_gateway_sends(gateway: Gateway) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Incremental delivery", 1)[1].split("\n## ", 1)[0]
    curl = re.search(r"-d '(\{.*\})'", section)
    assert curl is not None
    response = await gateway.client.post(
        "/graphql", content=curl.group(1), headers={"content-type": "application/json", "accept": MULTIPART}
    )
    body = response.content.decode().replace("\r\n", "\n")  # the README shows the CRLFs as line ends
    assert body.strip() in section  # the parts, their headers and lengths, byte for byte
