"""One HTTP exchange as the access layer sees it: the ``send`` every layer below it is handed.

It notes the response's status (for the metrics and the access line) and adds ``X-Request-ID`` to the
response's headers. ``respond`` sends a whole response in one call; a layer that answers from bytes it
already holds (a response-cache hit, ``gateway/response_cache/hit.py``) uses it when the ``send`` it was
given is an ``Exchange`` itself, that is when no layer in between wrapped it (CORS for a cross-origin
request, compression for a client that accepts a coding). A hit is this gateway's hottest path and
under load each message through the wrapper cost it 3-5% of its throughput (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from starlette.types import Message, Send

__all__ = ["Exchange"]


class Exchange:
    """The ``send`` of one HTTP exchange below the access layer; ``status`` is 500 until a response starts."""

    __slots__ = ("header", "send", "status")

    def __init__(self, send: Send, request_id: str) -> None:
        self.send = send
        self.header = (b"x-request-id", request_id.encode())
        self.status = 500

    def __call__(self, message: Message) -> Awaitable[None]:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            message = {**message, "headers": [*message.get("headers", ()), self.header]}
        return self.send(message)

    async def respond(self, status: int, headers: Sequence[tuple[bytes, bytes]], body: bytes) -> None:
        """The whole response: what ``http.response.start`` and one ``http.response.body`` through
        ``__call__`` send, without copying the first message."""
        self.status = status
        await self.send({"type": "http.response.start", "status": status, "headers": [*headers, self.header]})
        await self.send({"type": "http.response.body", "body": body})
