"""The upstream HTTP client: no cookies (each call carries its caller's credential); a call sent without `send`."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import pytest
from aiohttp import web

from gateway.upstream.wire import (
    CookielessClient,
    UpstreamTransport,
    body_chunks,
    open_stream,
    upstream_url,
    url_with_query,
)


async def test_a_cookie_one_answer_sets_is_never_sent_with_a_later_call() -> None:
    seen: list[str | None] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={}, headers={"set-cookie": "sessionid=caller-a; Path=/"})

    async with CookielessClient(transport=httpx.MockTransport(upstream)) as client:
        await client.get("http://upstream.test/api/orgs/1/", headers={"Authorization": "Bearer a"})
        await client.get("http://upstream.test/api/orgs/1/", headers={"Authorization": "Bearer b"})
        assert seen == [None, None]
        assert not client.cookies
        with pytest.raises(TypeError):
            client.cookies = {"sessionid": "x"}


def _echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "headers": dict(request.headers),
            "body": request.content.decode(),
            "timeout": request.extensions["timeout"],
        },
    )


async def test_open_stream_sends_what_build_request_would_without_the_send_machinery() -> None:
    """The fast path carries the client's headers (a call's own header wins), its timeouts and the JSON body."""
    defaults = {"Accept": "application/json", "User-Agent": "solar-gateway/0.1"}
    timeout = httpx.Timeout(3.0, connect=1.0)
    async with CookielessClient(transport=httpx.MockTransport(_echo), headers=defaults, timeout=timeout) as client:
        url = url_with_query("http://upstream.test/api/orgs/1/projects/", {"page": 2, "archived": False})
        call_headers = {"Authorization": "Bearer a", "accept": "application/vnd.test"}
        fast = await open_stream(client, "POST", url, call_headers, {"title": "x"})
        slow = await client.send(client.build_request("POST", url, headers=call_headers, json={"title": "x"}))
        await fast.aread()
        assert fast.json() == slow.json()
        assert fast.request.url == httpx.URL("http://upstream.test/api/orgs/1/projects/?page=2&archived=false")
        sent = fast.json()["headers"]
        assert sent["accept"] == "application/vnd.test" and sent["authorization"] == "Bearer a"
        assert sent["user-agent"] == "solar-gateway/0.1" and sent["host"] == "upstream.test"
        assert fast.json()["timeout"] == timeout.as_dict()


def _as_httpx_builds(client: CookielessClient, method: str, url: httpx.URL, headers: dict[str, str] | None) -> Any:
    """What httpx's own constructor makes of a call (the client's headers, then the call's), as plain values."""
    names = {name.lower() for name in headers or {}}
    merged = [(k, v) for k, v in client._defaults if k.lower() not in names] + list((headers or {}).items())
    return _plain(httpx.Request(method, url, headers=merged, json=None, extensions={"timeout": client._timeouts}))


def _plain(request: httpx.Request) -> Any:
    fields = dict(vars(request))
    fields["headers"] = (request.headers.raw, request.headers._list, request.headers.encoding)
    fields["stream"] = (type(request.stream), b"".join(request.stream))  # type: ignore[arg-type]
    return fields


@pytest.mark.parametrize(
    ("method", "url", "headers"),
    [
        ("GET", "http://127.0.0.1:8001/api/orgs/7/projects/3001/", {"Authorization": "Bearer a"}),
        ("get", "https://api.opensolar.com/api/orgs/7/systems/?fieldset=list", {"accept": "application/vnd.x"}),
        ("GET", "https://upstream.test/x", None),
        ("GET", "https://upstream.test/x", {"Host": "other.test", "User-Agent": "mine"}),
        ("DELETE", "http://upstream.test:8080/api/orgs/7/webhooks/3/", {"Authorization": "Bearer b"}),
        ("HEAD", "http://upstream.test/", {"X-One": "1", "x-one": "2"}),
        ("POST", "http://upstream.test/api/", {"Authorization": "Bearer c"}),  # sized: httpx's constructor
    ],
)
def test_a_bodiless_call_request_is_what_httpx_builds(method: str, url: str, headers: dict[str, str] | None) -> None:
    """The bodiless fast path (headers normalised once, Host first) leaves every attribute as httpx's build does."""
    client = CookielessClient(headers={"Accept": "application/json", "User-Agent": "solar-gateway/0.1"})
    target = httpx.URL(url)
    built = client.call_request(method, target, headers, None)
    assert _plain(built) == _as_httpx_builds(client, method, target, headers)
    assert built.content == b"" and built.headers is not client.call_request(method, target, headers, None).headers


def test_a_default_host_header_is_not_doubled() -> None:
    client = CookielessClient(headers={"Host": "virtual.test"})
    target = httpx.URL("http://upstream.test/x")
    assert _plain(client.call_request("GET", target, None, None)) == _as_httpx_builds(client, "GET", target, None)
    assert client.call_request("GET", target, None, None).headers["host"] == "virtual.test"


async def test_open_stream_takes_the_transport_send_would_use() -> None:
    """A mounted transport (as httpx mounts the environment's proxies) still carries the calls it matches."""
    mounted: list[str] = []

    def proxy(request: httpx.Request) -> httpx.Response:
        mounted.append(str(request.url))
        return httpx.Response(204)

    client = CookielessClient(
        transport=httpx.MockTransport(_echo), mounts={"http://proxied.test": httpx.MockTransport(proxy)}
    )
    async with client:
        response = await open_stream(client, "GET", httpx.URL("http://proxied.test/x"), None, None)
        assert response.status_code == 204 and mounted == ["http://proxied.test/x"]
        assert (await open_stream(client, "GET", httpx.URL("http://other.test/x"), None, None)).status_code == 200
    with pytest.raises(RuntimeError, match="closed"):
        await open_stream(client, "GET", httpx.URL("http://other.test/x"), None, None)


async def test_open_stream_of_a_plain_client_sends_through_send() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(_echo), headers={"X-Plain": "1"}) as client:
        response = await open_stream(client, "GET", httpx.URL("http://upstream.test/"), {"Authorization": "b"}, None)
        await response.aread()
        assert response.json()["headers"]["x-plain"] == "1"


@pytest.mark.parametrize(
    ("origin", "path", "params"),
    [
        ("http://127.0.0.1:8001", "/api/orgs/7/projects/3001/", {}),
        ("https://api.opensolar.com", "/api/orgs/7/systems/", {"fieldset": "list", "page": 2, "archived": True}),
        ("https://api.genability.com/", "/rest/v1/incentives", {"zipCode": "11215", "q": "a b&c=d/é"}),
        ("https://upstream.test/prefix", "/api/x/../y", {"limit": 10}),  # a dot segment: parsed as before
        ("https://upstream.test", "/api/naïve path/", {}),  # quoted by httpx: parsed as before
    ],
)
def test_upstream_url_is_the_url_httpx_parses(origin: str, path: str, params: dict[str, str | int]) -> None:
    fast = upstream_url(httpx.URL(origin), path, params)
    parsed = url_with_query(f"{origin}{path}", params)
    assert fast == parsed and str(fast) == str(parsed) and fast.raw_path == parsed.raw_path
    assert (fast.host, fast.port, fast.path, fast.query) == (parsed.host, parsed.port, parsed.path, parsed.query)


async def test_the_aiohttp_transport_never_sends_a_cookie_an_answer_set() -> None:
    """aiohttp's own jar would send caller a's session cookie with caller b's call to the same host."""
    seen: list[str | None] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Cookie"))
        response = web.json_response({})
        response.set_cookie("sessionid", "caller-a")
        return response

    app = web.Application()
    app.router.add_get("/api/orgs/1/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "localhost", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with CookielessClient(transport=UpstreamTransport()) as client:
            for token in ("a", "b"):
                url = httpx.URL(f"http://localhost:{port}/api/orgs/1/")
                response = await open_stream(client, "GET", url, {"Authorization": f"Bearer {token}"}, None)
                await response.aread()
                await response.aclose()
    finally:
        await runner.cleanup()
    assert seen == [None, None]


class _Chunks(httpx.AsyncByteStream):
    """A transport's stream that yields the body in pieces, as aiohttp's does."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> Any:
        for chunk in self.chunks:
            yield chunk


@pytest.mark.parametrize(
    ("headers", "chunks", "body"),
    [
        ({}, (b'{"id": ', b"1}"), b'{"id": 1}'),
        ({"Content-Encoding": "gzip"}, (gzip.compress(b'{"id": 1}'),), b'{"id": 1}'),  # decoded by httpx
        ({"Content-Encoding": "identity"}, (b"[]",), b"[]"),
    ],
)
async def test_body_chunks_are_what_aiter_bytes_yields(
    headers: dict[str, str], chunks: tuple[bytes, ...], body: bytes
) -> None:
    """Read straight from the stream only when nothing is encoded; an encoded body is still decoded."""
    fast = [chunk async for chunk in body_chunks(httpx.Response(200, headers=headers, stream=_Chunks(*chunks)))]
    slow = [chunk async for chunk in httpx.Response(200, headers=headers, stream=_Chunks(*chunks)).aiter_bytes()]
    assert fast == slow and b"".join(fast) == body
