"""Handing a checked request to Strawberry, parsed, and what the front door does with its answer.

The parsed request reaches ``GatewayGraphQL.parse_http_body`` through ``parsed_request`` (the body is
never replayed). Strawberry's answer is captured: an APQ document is registered once it passed every
limit and validation rule; Strawberry's own ``text/plain`` refusals leave with a code; a response
whose upstream reads were all fresh and cacheable is stored and sent as stored (with its ETag).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.cache.trace import ReadTrace, read_trace
from gateway.http.persisted import PersistedDocuments
from gateway.http.rejection import Rejection
from gateway.http.shape import ParsedRequest, invalid
from gateway.response_cache.hit import VARY, send_cached
from gateway.response_cache.store import ResponseCache
from schema.documents import document_passed

__all__ = ["Execution", "execute", "parsed_request"]

# The parsed request, handed to Strawberry's ``parse_http_body`` for the one execution it is set around.
parsed_request: ContextVar[dict[str, Any] | None] = ContextVar("parsed_request", default=None)


@dataclass(frozen=True, slots=True)
class Execution:
    request: ParsedRequest
    payload: dict[str, Any]  # the request with its document resolved
    register: str | None  # an APQ hash to store the document under once it passed validation
    documents: PersistedDocuments


async def execute(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    execution: Execution,
    key: str | None,
    cache: ResponseCache | None,
) -> None:
    trace = ReadTrace()
    token = read_trace.set(trace)
    passed: list[bool] = []
    passed_token = document_passed.set(passed)
    status, headers, chunks = 200, [], []

    async def capture(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    request = execution.request
    request_token = parsed_request.set(execution.payload)  # parsed once, handed on
    # a GET was checked to be a query above; Strawberry runs queries only for POST (GET is off there)
    inner = {**scope, "method": "POST"} if request.is_get else scope
    try:
        await app(inner, receive, capture)
    finally:
        read_trace.reset(token)
        document_passed.reset(passed_token)
        parsed_request.reset(request_token)
    body = b"".join(chunks)
    if passed and execution.register is not None:
        await execution.documents.register(execution.register, execution.payload["query"], request.principal.id)
    if status >= 400 and not any(k == b"content-type" and b"json" in v for k, v in headers):
        # Strawberry's own refusals are text/plain: every error here carries a code
        rejection = invalid(body.decode("utf-8", "replace")[:200] or "The request was refused.")
        await Rejection(status, rejection.code, rejection.message).response()(scope, receive, send)
        return
    stored = None
    if key is not None and cache is not None and status == 200 and trace.cacheable and trace.ttl_s is not None:
        stored = await cache.put(key, body, trace.ttl_s, trace.tags)
    if stored is not None:
        await send_cached(send, stored, request.is_get, request.if_none_match, time.time())
        return
    headers.append(VARY)
    if request.is_get and status == 200:
        headers.append((b"cache-control", b"private, no-store"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
