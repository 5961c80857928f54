"""The ASGI app: ``create_app(settings)`` builds it; uvicorn runs it with ``--factory``.

Nothing here runs at import time. The lifespan opens the upstream clients (or the embedded
sandbox), cache, pacer and bus, and keeps them on ``app.state.runtime`` (``gateway/runtime/``) for the app's lifetime.
A request to ``/graphql`` passes the front door (``gateway/http/gate.py``: header and body size,
credential, inbound rate, request shape, response cache, persisted documents), which hands the parsed
request to Strawberry with its document limits and validation.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import orjson
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from gateway.compression import Compression, PrecompressedFiles
from gateway.gc_tuning import tuned_gc
from gateway.graphiql import ASSETS_DIR, favicon, graphiql_page
from gateway.http.access import HttpObservabilityMiddleware
from gateway.http.auth import Principal
from gateway.http.cors import Cors, OriginPolicy, origins_of
from gateway.http.edge import Edge, EdgeState
from gateway.http.error_codes import coded
from gateway.http.execution import parsed_request
from gateway.http.gate import GraphQLGate
from gateway.http.health import readiness
from gateway.http.rejection import Rejection
from gateway.http.webhooks import opensolar_webhook
from gateway.http.ws import CodedGraphQLWSHandler, CodedTransportWSHandler
from gateway.incremental import MultipartParts
from gateway.media import GRAPHQL_RESPONSE_JSON, media_type
from gateway.observability import configure_logging, configure_tracing
from gateway.runtime import Runtime, open_runtime
from gateway.sandbox import SandboxState
from gateway.settings import Settings
from gateway.system_images import IMAGE_PATH, system_image
from schema import Context, build_schema
from schema.incremental import DEFER_BAD_HEADER
from schema.operations import load_operations

__all__ = ["GatewayApp", "create_app", "runtime_of"]

logger = logging.getLogger("gateway")
GRAPHQL_PATH = "/graphql"


class GatewayApp(Starlette):
    """Starlette with the edge middleware outermost, outside Starlette's own error middleware.

    A response-cache hit is answered by the front door (``gateway/http/gate.py``) and never reaches the
    router, yet Starlette's ``ServerErrorMiddleware``, which it always puts first, wrapped each hit and
    both of its sends. Here it wraps the router only (and the exception middleware), so it still turns an
    exception in a route into a plain 500; an exception in the edge layers themselves reaches uvicorn,
    which answers the same plain 500 if nothing was sent and logs the traceback, as it did when
    ``ServerErrorMiddleware`` (which re-raises) was outermost. The access layer records the 500 either way.
    """

    def build_middleware_stack(self) -> ASGIApp:
        edge, self.user_middleware = self.user_middleware, []
        try:
            app = super().build_middleware_stack()  # ServerErrorMiddleware, ExceptionMiddleware, the router
        finally:
            self.user_middleware = edge
        for cls, args, kwargs in reversed(edge):
            app = cls(app, *args, **kwargs)
        return app


def runtime_of(app: Starlette) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


class GatewayGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = CodedTransportWSHandler[Context]
    graphql_ws_handler_class = CodedGraphQLWSHandler[Context]
    multipart_transport_class = MultipartParts  # @defer/@stream answers, part by part

    def __init__(self, *args: Any, origins: OriginPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origins = origins

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        """A cross-origin socket (same origin and no Origin always pass): the CORS list decides."""
        return self.origins.allows(origin)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket | None) -> Context:
        principal: Principal | None = request.scope.get("state", {}).get("principal")
        http_request = request if isinstance(request, Request) else None
        return Context.for_request(runtime_of(request.app), http_request, principal)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:
        """The request the front door already read, parsed and checked: the body is never read twice."""
        payload = parsed_request.get()
        if payload is None:  # an upload whose form Strawberry refuses, replayed by the door: it answers as before
            return cast(GraphQLRequestData, await super().parse_http_body(request))
        return GraphQLRequestData(
            query=payload.get("query"),
            variables=payload.get("variables"),
            operation_name=payload.get("operationName"),
            extensions=payload.get("extensions"),
            protocol="http",
        )

    def encode_json(self, data: object) -> str:
        # several times faster than json.dumps on large responses; a str, because websocket
        # subscriptions (graphql-transport-ws) must be sent as text frames
        return orjson.dumps(data).decode()

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """The last line of defence: every error leaves with a code (``gateway/http/error_codes.py``).

        Under ``application/graphql-response+json`` a request error (nothing executed: no data and no
        error with a path) goes out without ``data`` and with 400 (``run`` sets the status).
        """
        response = await super().process_result(request, result)
        errors: list[dict[str, Any]] = cast(list[dict[str, Any]], response.get("errors") or [])
        if errors:
            errors = [coded(error) for error in errors]
            response["errors"] = cast(Any, errors)
        request_error = bool(errors) and result.data is None and all("path" not in e for e in errors)
        if request_error and isinstance(request, Request) and _media(request) == GRAPHQL_RESPONSE_JSON:
            response.pop("data", None)
            request.state.request_error = True
        if isinstance(request, Request) and any(e["extensions"]["code"] == DEFER_BAD_HEADER for e in errors):
            request.state.status = 406  # what Apollo answers: the client cannot read the parts it asked for
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry answers ``application/json``; a client that prefers the newer type gets it."""
        response = await super().run(request, context, root_value)
        if isinstance(request, Request) and type(response) is Response and _media(request) == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if getattr(request.state, "request_error", False):
                response.status_code = 400
        if isinstance(request, Request) and type(response) is Response:
            response.status_code = getattr(request.state, "status", response.status_code)
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page()  # our page, assets served from this origin (no CDN)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Same auth as queries; a browser sends its credential in connection_init's payload."""
        if context.principal is None:
            params = {str(k).lower(): str(v) for k, v in (context.connection_params or {}).items()}
            front_door = context.front_door
            principal = await front_door.authenticator.admit(
                params.get("authorization", "").encode("latin-1", "replace"),
                params.get("x-api-key", "").encode("latin-1", "replace"),
            )
            if isinstance(principal, Rejection):
                raise ConnectionRejectionError({"code": principal.code})
            wait = await front_door.inbound.spend(principal.id) if front_door.inbound is not None else None
            if wait is not None:
                raise ConnectionRejectionError({"code": "THROTTLED", "retryAfter": wait})
            context.authenticate(principal)
        return cast(UnsetType, UNSET)  # acknowledge without a payload


def _media(request: Request) -> str:
    return media_type(request.headers.get("accept", ""))


async def healthz(request: Request) -> Response:
    """Alive: the process answers. Orchestrators restart it when this fails."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready: the cache store and both upstreams answer (any HTTP status counts as reachable)."""
    runtime = runtime_of(request.app)
    checks = await readiness(runtime.upstreams, runtime.caches.upstream)
    ready = all(ok for ok in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


async def metrics(request: Request) -> Response:
    return Response(runtime_of(request.app).metrics.render(), media_type=CONTENT_TYPE_LATEST)


def edge_of(runtime: Runtime, settings: Settings) -> Edge:
    """The pieces of the runtime the HTTP edge's middleware use."""
    return Edge(
        authenticator=runtime.front_door.authenticator,
        inbound=runtime.front_door.inbound,
        documents=runtime.front_door.documents,
        response_cache=runtime.caches.responses,
        metrics=runtime.metrics,
        max_upload_bytes=settings.max_upload_bytes,
    )


def create_app(settings: Settings | None = None, *, sandbox: SandboxState | None = None) -> Starlette:
    """The gateway app. ``sandbox`` lets tests hand in a sandbox whose counters and faults they hold."""
    settings = settings or Settings()
    edge = EdgeState()  # what the front door and the observability layer use, opened by the lifespan

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # per process, at start (uvicorn workers are separate processes): never at import time
        logs = (
            configure_logging(settings.log_level, json=settings.log_format == "json", writer=settings.log_writer)
            if settings.log_format
            else None
        )
        try:
            configure_tracing(settings.otel)
            async with open_runtime(settings, sandbox, operations=load_operations()) as runtime:
                app.state.runtime = runtime
                edge.open(edge_of(runtime, settings))
                if runtime.upstreams.sandbox is not None:
                    logger.warning("SANDBOX MODE: /graphql is open to anyone who can reach it (made-up data only).")
                with tuned_gc(settings.gc_tuning):
                    yield
        finally:
            edge.open(None)
            if logs is not None:
                logs.stop()  # every line queued so far is written; later lines are written directly

    origins = origins_of(settings.cors_origins, sandbox=settings.use_sandbox)
    policy = OriginPolicy(origins)
    graphql: Any = GatewayGraphQL(
        build_schema(settings.query_limits),
        origins=policy,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=False,
        multipart_uploads_enabled=True,  # file uploads; the gate bounds and checks them first
    )
    routes = [
        Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
        WebSocketRoute(GRAPHQL_PATH, graphql),  # subscriptions (graphql-transport-ws)
        Route("/healthz", healthz, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/graphiql/static", PrecompressedFiles(directory=ASSETS_DIR, check_dir=False), name="graphiql"),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/webhooks/opensolar", opensolar_webhook, methods=["POST"]),  # answers where receivers moved
        Route("/webhooks/opensolar/{org_id}", opensolar_webhook, methods=["POST"]),  # one receiver per org
        Route(IMAGE_PATH, system_image, methods=["GET"]),
    ]
    middleware = [
        Middleware(HttpObservabilityMiddleware, state=edge, routes=routes),  # metric labels: the routes above
        # before auth: a preflight carries no credentials. No origins, no layer: it would grant nothing, and
        # each layer costs a cache hit 2-3% of its throughput under load (BENCHMARKS.md)
        *([] if policy.empty else [Middleware(Cors, paths=(GRAPHQL_PATH,), origins=origins)]),
        Middleware(Compression),  # outside the front door: its answers are compressed too
        Middleware(
            GraphQLGate,
            path=GRAPHQL_PATH,
            max_body_bytes=settings.max_body_bytes,
            max_header_bytes=settings.max_header_bytes,
            max_tokens=settings.max_tokens,
            graphiql=settings.graphiql_enabled,
            state=edge,
        ),
    ]
    return GatewayApp(routes=routes, middleware=middleware, lifespan=lifespan)
