"""The access layer's request id: a caller's ``X-Request-ID`` is kept when it is 1-64 of ``[A-Za-z0-9._-]``,
else a fresh 32-hex-digit id replaces it; either way the response echoes the one used."""

from __future__ import annotations

import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.http.access import HttpObservabilityMiddleware
from gateway.http.edge import EdgeState
from gateway.observability import request_id


async def _echoed(given: bytes | None) -> tuple[str, str]:
    """The response's X-Request-ID and the id the app below saw, for a request carrying ``given``."""
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(request_id.get())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    headers = [] if given is None else [(b"x-request-id", given)]
    scope = {"type": "http", "method": "GET", "path": "/healthz", "headers": headers}
    await HttpObservabilityMiddleware(app, state=EdgeState())(scope, receive, send)
    echoed = dict(sent[0]["headers"])[b"x-request-id"].decode()
    return echoed, seen[0]


@pytest.mark.parametrize("given", [b"a", b"A" * 64, b"trace.id_1-2"])
async def test_a_sane_id_is_kept_up_to_64_characters(given: bytes) -> None:
    assert await _echoed(given) == (given.decode(), given.decode())


@pytest.mark.parametrize("given", [None, b"", b"A" * 65, b"has space", b"tail\n", b"caf\xc3\xa9"])
async def test_anything_else_gets_a_fresh_id(given: bytes | None) -> None:
    echoed, seen = await _echoed(given)
    assert echoed == seen and len(echoed) == 32 and int(echoed, 16) >= 0
    assert given is None or echoed != given.decode("latin-1")
