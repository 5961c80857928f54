"""The HTTP gate in front of ``/graphql``: limits, persisted documents, and the response cache.

Pure ASGI, so a rejection costs neither a GraphQL parse nor an upstream call, and a response-cache
hit costs neither: a body over ``max_body_bytes`` is refused while it streams in (413,
``PAYLOAD_TOO_LARGE``); a JSON body that is not an object (or not JSON, or not UTF-8) is refused
(400, ``INVALID_GRAPHQL_REQUEST``); a batch is refused (400, ``BATCHING_DISABLED``); a stored
response is served as bytes with its ETag (304 on ``If-None-Match``); a persisted-query hash is
swapped for its document. GET carries persisted queries only (never a mutation), and their
responses say ``Cache-Control: private, max-age=<ttl>`` so browsers may reuse them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.cache.trace import ReadTrace, read_trace
from gateway.persisted import PersistedDocuments, Rejection
from gateway.response_cache import CachedResponse, ResponseCache
from schema.telemetry import operation_label

__all__ = ["GraphQLGate"]


def _reject(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(Rejection(status, code, message).body(), status_code=status)


@functools.lru_cache(maxsize=512)
def _operation_kind(document: str, operation_name: str | None) -> str | None:
    try:
        parsed = parse(document)
    except GraphQLError:
        return None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if operation_name and o.name and o.name.value == operation_name),
        operations[0] if len(operations) == 1 else None,
    )
    return chosen.operation.value if chosen else None


_NAMED = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


def _operation_name(payload: dict[str, Any]) -> str | None:
    """The operation's name without parsing: the request's operationName, else the document's first."""
    name = payload.get("operationName")
    if isinstance(name, str):
        return name
    query = payload.get("query")
    match = _NAMED.match(query) if isinstance(query, str) else None
    return match.group(1) if match else None


@dataclass
class _Request:
    payload: dict[str, Any]
    is_get: bool
    if_none_match: str | None


class GraphQLGate:
    def __init__(self, app: ASGIApp, *, path: str, max_body_bytes: int, services: Any) -> None:
        assert max_body_bytes > 0, "max_body_bytes must be positive"
        self.app = app
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.services = services  # a callable giving this app's Services (made in the lifespan)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope["method"] not in {"GET", "POST"}:
            await self.app(scope, receive, send)
            return
        request = await self._request(scope, receive)
        if isinstance(request, Response):
            await request(scope, receive, send)
        elif request is None:
            await self.app(scope, receive, send)  # not ours to handle (the IDE page, other content types)
        else:
            await self._serve(scope, receive, send, request)

    async def _request(self, scope: Scope, receive: Receive) -> _Request | Response | None:
        headers = dict(scope.get("headers", []))
        if_none_match = headers.get(b"if-none-match", b"").decode("latin-1") or None
        if scope["method"] == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if not query.keys() & {"query", "extensions", "operationName", "variables"}:
                return None
            return self._get_request(query, if_none_match)
        if "json" not in headers.get(b"content-type", b"").decode("latin-1"):
            return None  # Strawberry answers other content types itself (415/400)
        body = await self._read(scope, receive)
        if body is None:
            return _reject(413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes.")
        try:
            payload = orjson.loads(body)  # also refuses bytes that are not UTF-8
        except orjson.JSONDecodeError:
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "The body is not valid JSON.")
        if isinstance(payload, list):
            return _reject(400, "BATCHING_DISABLED", "Batched operations are not accepted; send one per request.")
        if not isinstance(payload, dict):
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "The body must be a JSON object with a query.")
        return _Request(payload, False, if_none_match)

    @staticmethod
    def _get_request(query: dict[str, list[str]], if_none_match: str | None) -> _Request | Response:
        if "query" in query or "extensions" not in query:
            return _reject(405, "METHOD_NOT_ALLOWED", "Send operations with POST; GET carries persisted queries only.")
        try:
            payload: dict[str, Any] = {
                name: orjson.loads(query[name][0]) for name in ("extensions", "variables") if name in query
            }
        except orjson.JSONDecodeError:
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "extensions and variables must be JSON.")
        if "operationName" in query:
            payload["operationName"] = query["operationName"][0]
        return _Request(payload, True, if_none_match)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
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

    def _cache_key(self, scope: Scope, cache: ResponseCache | None, payload: dict[str, Any]) -> str | None:
        principal = scope.get("state", {}).get("principal")
        credential = getattr(principal, "opensolar_token", None)
        if cache is None or not credential:
            return None  # no identity, no caching
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        digest = None
        if isinstance(persisted, dict) and persisted.get("version") == 1:  # only a well-formed request may hit
            candidate = persisted.get("sha256Hash")
            digest = candidate if isinstance(candidate, str) and len(candidate) == 64 else None
        elif persisted is not None:
            return None
        query = payload.get("query")
        if isinstance(query, str) and query:
            digest = hashlib.sha256(query.encode()).hexdigest()
        if digest is None:
            return None
        return cache.key(credential, digest.lower(), payload.get("operationName"), payload.get("variables"))

    async def _serve(self, scope: Scope, receive: Receive, send: Send, request: _Request) -> None:
        services = self.services(scope["app"])
        cache: ResponseCache | None = services.response_cache
        key = self._cache_key(scope, cache, request.payload)
        if key is not None and cache is not None and (hit := await cache.get(key)) is not None:
            started = time.perf_counter()
            await _send_cached(send, hit, request, time.time())
            name = operation_label(_operation_name(request.payload))
            services.metrics.operation(name, "cached", time.perf_counter() - started)
            return
        documents: PersistedDocuments = services.documents
        resolved = await documents.resolve(request.payload)
        if isinstance(resolved, Rejection):
            await JSONResponse(resolved.body(), status_code=resolved.status)(scope, receive, send)
            return
        if request.is_get and _operation_kind(str(resolved.get("query", "")), resolved.get("operationName")) != "query":
            await _reject(405, "METHOD_NOT_ALLOWED", "Only queries may be sent with GET.")(scope, receive, send)
            return
        await self._execute(scope, receive, send, request, resolved, key, cache)

    async def _execute(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request: _Request,
        payload: dict[str, Any],
        key: str | None,
        cache: ResponseCache | None,
    ) -> None:
        trace = ReadTrace()
        token = read_trace.set(trace)
        status, headers, chunks = 200, [], []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        post = {
            **scope,
            "method": "POST",
            "headers": [
                *(h for h in scope.get("headers", []) if h[0] not in {b"content-type", b"content-length"}),
                (b"content-type", b"application/json"),
            ],
        }
        try:
            await self.app(post, _replay(orjson.dumps(payload), receive), capture)
        finally:
            read_trace.reset(token)
        body = b"".join(chunks)
        stored = None
        if key is not None and cache is not None and status == 200 and trace.cacheable and trace.ttl_s is not None:
            stored = await cache.put(key, body, trace.ttl_s, trace.tags)
        if stored is not None:
            await _send_cached(send, stored, request, time.time())
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _send_cached(send: Send, cached: CachedResponse, request: _Request, now: float) -> None:
    headers = [(b"content-type", b"application/json"), (b"etag", cached.etag.encode())]
    if request.is_get:
        headers.append((b"cache-control", f"private, max-age={cached.max_age(now)}".encode()))
    if request.if_none_match and cached.etag in {tag.strip() for tag in request.if_none_match.split(",")}:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers.append((b"content-length", str(len(cached.body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": cached.body})


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
