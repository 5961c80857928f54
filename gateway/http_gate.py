"""The HTTP gate in front of ``/graphql``: size limit, no batching, persisted documents.

Pure ASGI, so a rejection costs neither a GraphQL parse nor an upstream call: a body over
``max_body_bytes`` is refused while it streams in (413, ``PAYLOAD_TOO_LARGE``), a JSON body that
is not an object (or not JSON, or not UTF-8) is refused (400, ``INVALID_GRAPHQL_REQUEST``), a JSON
array (a batch) is refused (400, ``BATCHING_DISABLED``), and a persisted-query hash is swapped for
its document (or refused) before Strawberry sees the request.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.persisted import PersistedDocuments, Rejection

__all__ = ["GraphQLGate"]


def _reject(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(Rejection(status, code, message).body(), status_code=status)


class GraphQLGate:
    def __init__(self, app: ASGIApp, *, path: str, max_body_bytes: int, documents: Any) -> None:
        assert max_body_bytes > 0, "max_body_bytes must be positive"
        self.app = app
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.documents = documents  # a PersistedDocuments, or a callable giving it for this app

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and _carries_operation(scope):
            await _reject(405, "METHOD_NOT_ALLOWED", "Send operations with POST.")(scope, receive, send)
            return
        if scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _reject(413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes.")(
                scope, receive, send
            )
            return
        body = await self._read(receive)
        if body is None:
            await _reject(413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes.")(
                scope, receive, send
            )
            return
        body_or_response = await self._documents(scope, body)
        if isinstance(body_or_response, JSONResponse):
            await body_or_response(scope, receive, send)
            return
        await self.app(scope, _replay(body_or_response, receive), send)

    async def _documents(self, scope: Scope, body: bytes) -> bytes | JSONResponse:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1")
        if "json" not in content_type:
            return body  # Strawberry answers other content types itself (415/400)
        try:
            payload = orjson.loads(body)  # also refuses bytes that are not UTF-8
        except orjson.JSONDecodeError:
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "The body is not valid JSON.")
        if isinstance(payload, list):
            return _reject(400, "BATCHING_DISABLED", "Batched operations are not accepted; send one per request.")
        if not isinstance(payload, dict):
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "The body must be a JSON object with a query.")
        documents: PersistedDocuments = self.documents(scope["app"]) if callable(self.documents) else self.documents
        resolved = await documents.resolve(payload)
        if isinstance(resolved, Rejection):
            return JSONResponse(resolved.body(), status_code=resolved.status)
        return body if resolved is payload else orjson.dumps(resolved)


def _carries_operation(scope: Scope) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    return any(part.split("=", 1)[0] in {"query", "extensions", "operationName"} for part in query.split("&"))


def _replay(body: bytes, original: Receive) -> Receive:
    """The (possibly rewritten) body once, then the real channel (so a disconnect is still seen)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
