"""Handing a checked request to Strawberry, parsed, and what the front door does with its answer.

The parsed request reaches ``GatewayGraphQL.parse_http_body`` through ``parsed_request`` (the body is
never replayed). Strawberry's answer is captured: an APQ document is registered once it passed every
limit and validation rule; Strawberry's own ``text/plain`` refusals leave with a code; a response
whose upstream reads were all fresh and cacheable is stored and sent as stored (with its ETag).

An answer in parts (``multipart/mixed``: ``@defer``, ``@stream``) is not captured: ``Capture`` sends
each part as it comes, after every check above has run, once. It is never stored (nor compressed:
``Compression`` compresses one-piece answers only; see ``gateway/incremental.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.cacheability import Cacheability
from gateway.http.persisted import PersistedDocuments
from gateway.http.rejection import Rejection
from gateway.http.shape import ParsedRequest, invalid
from gateway.incremental import MULTIPART_MIXED
from gateway.response_cache.hit import VARY, send_cached
from gateway.response_cache.store import CachedResponse, ResponseCache

__all__ = ["Capture", "Execution", "document_passed", "execute", "parsed_request"]

# The parsed request, handed to Strawberry's ``parse_http_body`` for the one execution it is set around.
parsed_request: ContextVar[dict[str, Any] | None] = ContextVar("parsed_request", default=None)
# Set around one execution: the schema's validated-documents extension appends True once the document
# has parsed (within the token limit) and passed every validation rule, so only such documents are
# ever stored as persisted queries.
document_passed: ContextVar[list[bool] | None] = ContextVar("document_passed", default=None)


@dataclass(frozen=True, slots=True)
class Execution:
    request: ParsedRequest
    payload: dict[str, Any]  # the request with its document resolved
    register: str | None  # an APQ hash to store the document under once it passed validation
    documents: PersistedDocuments


def _nothing() -> None:
    pass


class Capture:
    """The ``send`` handed to the GraphQL app: a one-piece answer is kept (``status``, ``headers``,
    ``body``) for the front door to store and send; a streamed one (``multipart/mixed``: ``@defer``,
    ``@stream``) is sent at once, part by part, with ``extra`` headers on its start, and ``on_stream``
    is told."""

    __slots__ = ("_chunks", "_extra", "_on_stream", "_send", "headers", "status", "streamed")

    def __init__(self, send: Send, extra: list[tuple[bytes, bytes]], on_stream: Callable[[], None]) -> None:
        self._send = send
        self._extra = extra
        self._on_stream = on_stream
        self._chunks: list[bytes] = []
        self.status = 200
        self.headers: list[tuple[bytes, bytes]] = []
        self.streamed = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message.get("headers", []))
            content_type = next((v for k, v in self.headers if k.lower() == b"content-type"), b"")
            if content_type.startswith(MULTIPART_MIXED.encode()):
                self.streamed = True
                self._on_stream()
                await self._send({**message, "headers": [*self.headers, *self._extra]})
        elif message["type"] == "http.response.body":
            if self.streamed:
                await self._send(message)
            else:
                self._chunks.append(message.get("body", b""))

    @property
    def body(self) -> bytes:
        return b"".join(self._chunks)


async def execute(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    execution: Execution,
    key: str | None,
    cache: ResponseCache | None,
    release: Callable[[], None] = _nothing,
) -> Answer | None:
    """Run the operation once: its answer, captured, registered (APQ), stored when cacheable. None: it
    streamed in parts (@defer, @stream), sent as it came; ``release`` told identical requests at once."""
    passed: list[bool] = []
    passed_token = document_passed.set(passed)
    request = execution.request
    # an answer in one piece is kept to be stored and sent below; parts (@defer, @stream) go out as they come
    capture = Capture(send, [VARY, *([(b"cache-control", b"private, no-store")] if request.is_get else [])], release)
    request_token = parsed_request.set(execution.payload)  # parsed once, handed on
    # a GET was checked to be a query above; Strawberry runs queries only for POST (GET is off there)
    inner = {**scope, "method": "POST"} if request.is_get else scope
    started = cache.generations.now if cache is not None else None  # what evictions it may have raced
    try:
        with Cacheability.collect() as verdict:
            await app(inner, receive, capture)
    finally:
        document_passed.reset(passed_token)
        parsed_request.reset(request_token)
    if passed and execution.register is not None:
        await execution.documents.register(execution.register, execution.payload["query"], request.principal.id)
    if capture.streamed:
        return None
    status, body = capture.status, capture.body
    stored = None
    if key is not None and cache is not None and status == 200 and verdict.cacheable and verdict.ttl_s is not None:
        stored = await cache.put(key, body, verdict.ttl_s, verdict.tags, started)
    return Answer(status, tuple(capture.headers), body, stored)


@dataclass(frozen=True, slots=True)
class Answer:
    """One execution's answer, as every request that shared it sends it (``gateway/http/coalesce.py``)."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    stored: CachedResponse | None  # in the response cache: sent as a hit (the request's ETag/304, codings)


async def send_answer(scope: Scope, receive: Receive, send: Send, request: ParsedRequest, answer: Answer) -> None:
    """``answer`` as this request's response: its own ETag/304 and Cache-Control."""
    if answer.status >= 400 and not any(k == b"content-type" and b"json" in v for k, v in answer.headers):
        # Strawberry's own refusals are text/plain: every error here carries a code
        rejection = invalid(answer.body.decode("utf-8", "replace")[:200] or "The request was refused.")
        await Rejection(answer.status, rejection.code, rejection.message).response()(scope, receive, send)
        return
    if answer.stored is not None:
        await send_cached(send, answer.stored, request.is_get, request.if_none_match, time.time())
        return
    headers = [*answer.headers, VARY]
    if request.is_get and answer.status == 200:
        headers.append((b"cache-control", b"private, no-store"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
