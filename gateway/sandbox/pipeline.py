"""What every simulated call goes through: count, latency, faults, auth, throttle, then the handler.

Each upstream plugs in its own ``Dialect`` (how it authenticates and how its error bodies look), so
the two simulators share one pipeline and differ only where the real APIs differ.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from gateway.sandbox.state import Fault, SandboxState

__all__ = ["Dialect", "HttpError", "endpoint", "json_response", "query_int", "sandbox_state"]


class HttpError(Exception):
    """Raised by handlers; the dialect renders it in the upstream's own error format."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}
        self.body = body


class Dialect(Protocol):
    def authenticate(self, request: Request, state: SandboxState) -> Any: ...
    def throttle(self, request: Request, state: SandboxState, caller: Any) -> None: ...
    def render_error(self, error: HttpError) -> Response: ...


Handler = Callable[[Request, Any], Awaitable[Response]]


def sandbox_state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


@dataclass(frozen=True, slots=True)
class _Endpoint:
    name: str
    dialect: Dialect
    handler: Handler

    async def handle(self, request: Request) -> Response:
        state = sandbox_state(request)
        state.counts[self.name] += 1
        state.calls.append((self.name, request.url.path, dict(request.query_params)))
        response = await self._respond(request, state)
        state.statuses[f"{self.name}:{response.status_code}"] += 1
        return response

    async def _respond(self, request: Request, state: SandboxState) -> Response:
        if state.config.latency_ms:
            await asyncio.sleep(state.config.latency_ms / 1000)
        fault = state.take_fault(self.name, dict(request.path_params))
        if fault is not None and (faulted := await _apply_fault(fault, self.dialect)) is not None:
            return faulted
        try:
            caller = self.dialect.authenticate(request, state)
            self.dialect.throttle(request, state, caller)
            response = await self.handler(request, caller)
        except HttpError as error:
            return self.dialect.render_error(error)
        if fault is not None and fault.trickle_s:
            return _trickle(response, fault.trickle_s)
        if state.reshape is not None and response.status_code == 200 and isinstance(response, JSONResponse):
            return JSONResponse(state.reshape(self.name, json.loads(bytes(response.body))), headers=_passed(response))
        return response


def _passed(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower() not in {"content-length", "content-type"}}


def endpoint(name: str, dialect: Dialect, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    # A plain function: Starlette would treat a callable instance as a raw ASGI app.
    return _Endpoint(name, dialect, handler).handle


async def _apply_fault(fault: Fault, dialect: Dialect) -> Response | None:
    if fault.delay_s:
        await asyncio.sleep(fault.delay_s)
    if fault.status is not None:
        if fault.body is not None:
            return Response(fault.body, status_code=fault.status, headers=fault.headers, media_type="application/json")
        return dialect.render_error(HttpError(fault.status, "Injected fault.", headers=fault.headers))
    if fault.body is not None:
        return Response(fault.body, status_code=200, headers=fault.headers, media_type="application/json")
    return None


def _trickle(response: Response, interval_s: float) -> Response:
    body = bytes(response.body)

    async def chunks() -> AsyncIterator[bytes]:
        for index in range(len(body)):
            await asyncio.sleep(interval_s)
            yield body[index : index + 1]

    return StreamingResponse(chunks(), status_code=response.status_code, media_type=response.media_type)


def query_int(request: Request, name: str, default: int, invalid: HttpError) -> int:
    """A non-negative integer query parameter; ``invalid`` is raised in the upstream's own words."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise invalid
    return int(raw)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(payload, status_code=status, headers=headers)
