"""The app's layers: the edge middleware outermost, Starlette's error middleware around the router only."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.app import create_app, runtime_of
from gateway.compression import Compression
from gateway.http.access import HttpObservabilityMiddleware
from gateway.http.cors import Cors
from gateway.http.gate import GraphQLGate
from gateway.sandbox import RAW_DATA_ORG_ID, sandbox_token
from tests.conftest import running_gateway, sandbox_settings
from tests.counted import CountedHeaders

pytestmark = pytest.mark.integration


def _layers(app: Any) -> list[type]:
    """The app's layers from the outermost down to Starlette's exception middleware (excluded)."""
    layer: Any = app.build_middleware_stack()
    layers = []
    while not isinstance(layer, ExceptionMiddleware):
        layers.append(type(layer))
        layer = layer.app  # every layer above the router holds the next one as .app
    return layers


def test_a_hit_passes_the_edge_layers_only_and_starlettes_error_middleware_wraps_the_router() -> None:
    layers = _layers(create_app(sandbox_settings()))
    assert layers == [HttpObservabilityMiddleware, Cors, Compression, GraphQLGate, ServerErrorMiddleware]


async def test_without_cors_origins_there_is_no_cors_layer_and_nothing_is_granted() -> None:
    settings = sandbox_settings(GATEWAY_CORS_ORIGINS="")  # the sandbox allows loopback pages unless told
    assert _layers(create_app(settings)) == [
        HttpObservabilityMiddleware,
        Compression,
        GraphQLGate,
        ServerErrorMiddleware,
    ]
    page = {"Origin": "http://localhost:5173"}
    async with running_gateway(settings) as gateway:
        posted = await gateway.client.post("/graphql", json={"query": "{ __typename }"}, headers=page)
        preflight = await gateway.client.options("/graphql", headers={**page, "Access-Control-Request-Method": "POST"})
    assert posted.status_code == 200 and posted.json() == {"data": {"__typename": "Query"}}
    assert not any(name.startswith("access-control-") for name in [*posted.headers, *preflight.headers])
    assert preflight.status_code == 405


async def test_a_route_that_raises_answers_a_plain_500_that_carries_its_request_id_and_is_counted() -> None:
    async def boom(request: Request) -> Response:
        raise RuntimeError("a bug in a route")

    app = create_app(sandbox_settings())
    app.router.routes.append(Route("/boom", boom))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            response = await client.get("/boom", headers={"X-Request-ID": "trace-me"})
        assert response.status_code == 500 and response.text == "Internal Server Error"
        assert response.headers["x-request-id"] == "trace-me"  # the edge saw the 500 go out
        assert runtime_of(app).metrics.http.value(("other", "500")) == 1


async def test_an_exception_in_the_edge_reaches_the_server_and_is_counted_as_a_500(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(self: GraphQLGate, *args: object) -> None:
        raise RuntimeError("a bug in the front door")

    monkeypatch.setattr(GraphQLGate, "_http", broken)
    app = create_app(sandbox_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            with pytest.raises(RuntimeError, match="front door"):  # uvicorn answers 500 and logs it
                await client.post("/graphql", json={"query": "{ __typename }"})
        assert runtime_of(app).metrics.http.value(("/graphql", "500")) == 1


async def test_a_hit_reads_the_request_headers_once_for_all_the_edge_layers() -> None:
    body = b'{"query": "{ org { project(id: \\"3001\\") { title } } }"}'
    token = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    def scope(headers: CountedHeaders) -> dict[str, Any]:
        return {"type": "http", "method": "POST", "path": "/graphql", "headers": headers, "query_string": b""}

    def headers() -> CountedHeaders:
        listed = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        return CountedHeaders([*listed, (b"authorization", f"Bearer {token}".encode()), (b"accept-encoding", b"gzip")])

    app = create_app(sandbox_settings())
    async with app.router.lifespan_context(app):
        await app(scope(headers()), receive, send)  # stores the answer
        cache = runtime_of(app).caches.responses
        assert cache is not None and sent[0]["status"] == 200
        hit = headers()
        await app(scope(hit), receive, send)
        assert cache.stats["hits"] == 1 and sent[-2]["status"] == 200
    assert hit.reads == 1  # request id, CORS, compression and the front door share one pass
