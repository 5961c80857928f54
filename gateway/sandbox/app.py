"""The sandbox as one ASGI app: simulated OpenSolar and Arcadia on one origin, plus its control routes.

Run it alone with ``solar-gateway sandbox`` (a real HTTP server for benchmarks and manual poking) or
embed it in the gateway, which then talks to it in-process through ``httpx.ASGITransport``.

Control routes (not part of either upstream): ``GET /_sandbox/stats`` (calls per route and status),
``POST /_sandbox/reset``, ``POST /_sandbox/faults`` (a JSON ``Fault``), ``DELETE /_sandbox/faults``.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.sandbox.arcadia_routes import arcadia_routes
from gateway.sandbox.opensolar_routes import opensolar_routes
from gateway.sandbox.opensolar_writes import opensolar_write_routes
from gateway.sandbox.pipeline import sandbox_state
from gateway.sandbox.state import Fault, SandboxConfig, SandboxState
from gateway.sandbox.team_routes import team_routes

__all__ = ["create_sandbox_app", "sandbox_app_from_env"]


class DjangoSlashes:
    """Trailing slashes as Django's ``APPEND_SLASH`` gives them: GET works either way, writes get 301."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api") and not path.endswith("/"):
            if scope["method"] in {"GET", "HEAD"}:
                scope = {**scope, "path": path + "/"}
            else:
                query = scope.get("query_string", b"").decode()
                response = RedirectResponse(path + "/" + (f"?{query}" if query else ""), status_code=301)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def stats(request: Request) -> Response:
    return JSONResponse(sandbox_state(request).stats())


async def reset(request: Request) -> Response:
    sandbox_state(request).reset()
    return JSONResponse({"reset": True})


async def faults(request: Request) -> Response:
    state = sandbox_state(request)
    if request.method == "DELETE":
        state.faults.clear()
        return JSONResponse({"faults": 0})
    payload: dict[str, Any] = await request.json()
    state.faults.append(Fault(**payload))
    return JSONResponse({"faults": len(state.faults)})


def create_sandbox_app(config: SandboxConfig | None = None, state: SandboxState | None = None) -> Starlette:
    state = state or SandboxState(config or SandboxConfig())
    routes = [
        *opensolar_routes(),
        *opensolar_write_routes(),
        *team_routes(),
        *arcadia_routes(),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/faults", faults, methods=["POST", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.router.redirect_slashes = False
    app.state.sandbox = state
    app.add_middleware(DjangoSlashes)
    return app


def sandbox_app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory``: ``SANDBOX_LATENCY_MS``, ``SANDBOX_SEED``, ``SANDBOX_THROTTLE``,
    ``SANDBOX_PROJECTS``, ``SANDBOX_VARIANT_SHAPES``."""
    return create_sandbox_app(
        SandboxConfig(
            latency_ms=float(os.environ.get("SANDBOX_LATENCY_MS", "0")),
            seed=int(os.environ.get("SANDBOX_SEED", "7")),
            throttle=os.environ.get("SANDBOX_THROTTLE", "true").lower() != "false",
            raw_data_projects=int(os.environ.get("SANDBOX_PROJECTS", "120")),
            variant_shapes=os.environ.get("SANDBOX_VARIANT_SHAPES", "false").lower() == "true",
        )
    )
