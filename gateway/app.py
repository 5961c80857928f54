"""The ASGI app: ``create_app(settings)`` builds it; uvicorn runs it with ``--factory``.

Nothing here runs at import time. The lifespan opens one HTTP client per upstream (or the
embedded sandbox) and keeps them on ``app.state.services`` for the app's lifetime.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway.sandbox import SandboxState
from gateway.services import Services, open_services
from gateway.settings import Settings
from gateway.webhooks import opensolar_webhook
from schema import Context, build_schema

__all__ = ["create_app", "services_of"]

logger = logging.getLogger("gateway")


def services_of(app: Starlette) -> Services:
    services: Services = app.state.services
    return services


class GatewayGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket | None) -> Context:
        http_request = request if isinstance(request, Request) else None
        return Context.for_request(services_of(request.app), http_request)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, *, sandbox: SandboxState | None = None) -> Starlette:
    """The gateway app. ``sandbox`` lets tests hand in a sandbox whose counters and faults they hold."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_services(settings, sandbox) as services:
            app.state.services = services
            yield

    graphql: Any = GatewayGraphQL(
        build_schema(),
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=False,
    )
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/webhooks/opensolar", opensolar_webhook, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
