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

import asyncio
import functools
import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.cache.trace import ReadTrace, read_trace
from gateway.compression import negotiated
from gateway.headers import pick
from gateway.persisted import PersistedDocuments, Rejection
from gateway.response_cache import CachedResponse, ResponseCache, request_digest
from gateway.uploads import screen_upload
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


@dataclass(slots=True)
class _Request:
    payload: dict[str, Any]
    is_get: bool
    if_none_match: str | None
    raw: bytes = b""  # the POST body as received: what the digest memo is keyed by


@dataclass(frozen=True, slots=True)
class _Known:
    digest: str  # ``request_digest`` of the body
    label: str  # its operation's metrics label


class _Digests:
    """Request bodies seen before -> their request digest, so a repeated body is not parsed again.

    A frontend repeats the same few bodies byte for byte; parsing, hashing the document and
    canonicalising the variables cost more than the response-cache lookup itself. The digest is a
    function of the bytes alone, so a remembered one can never be wrong. Only small bodies are
    remembered, and only ``MAX_ENTRIES`` of them (oldest first out): at most a few MiB.
    """

    MAX_ENTRIES = 512
    MAX_BODY_BYTES = 16 * 1024

    def __init__(self) -> None:
        self._known: dict[bytes, _Known] = {}

    def get(self, raw: bytes) -> _Known | None:
        return self._known.get(raw) if raw else None

    def remember(self, raw: bytes, known: _Known) -> None:
        if not raw or len(raw) > self.MAX_BODY_BYTES:
            return
        if len(self._known) >= self.MAX_ENTRIES:
            del self._known[next(iter(self._known))]
        self._known[raw] = known


class GraphQLGate:
    def __init__(self, app: ASGIApp, *, path: str, max_body_bytes: int, services: Any) -> None:
        assert max_body_bytes > 0, "max_body_bytes must be positive"
        self.app = app
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.services = services  # a callable giving this app's Services (made in the lifespan)
        self._digests = _Digests()
        self._inflight: dict[str, asyncio.Future[None]] = {}  # response-cache keys being executed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope["method"] not in {"GET", "POST"}:
            await self.app(scope, receive, send)
            return
        content_type, content_length, if_none_match = pick(scope, b"content-type", b"content-length", b"if-none-match")
        services = self.services(scope["app"])
        cache: ResponseCache | None = services.response_cache
        principal = scope.get("state", {}).get("principal")
        credential: str | None = getattr(principal, "opensolar_token", None) if cache is not None else None
        etags = if_none_match.decode("latin-1") or None
        if scope["method"] == "GET":
            request = self._get_request(scope, etags)
        elif content_type.startswith(b"multipart/form-data"):
            await self._upload(scope, receive, send, services, content_length)
            return
        elif b"json" not in content_type:
            request = None  # Strawberry answers other content types itself (415/400)
        else:
            body = await self._read(receive, content_length)
            if body is None:
                request = _reject(
                    413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes."
                )
            elif cache is not None and credential and (known := self._digests.get(body)) is not None:
                # a body seen before: straight to the cache, no parsing
                if await self._serve_hit(send, services, cache.scoped(credential, known.digest), etags, False, known):
                    return
                missed = _Request(orjson.loads(body), False, etags, body)
                await self._serve(scope, receive, send, missed, services, credential, known)
                return
            else:
                request = self._post_request(body, etags)
        if isinstance(request, Response):
            await request(scope, receive, send)
        elif request is None:
            await self.app(scope, receive, send)  # not ours to handle (the IDE page, other content types)
        else:
            await self._serve(scope, receive, send, request, services, credential)

    async def _upload(self, scope: Scope, receive: Receive, send: Send, services: Any, declared: bytes) -> None:
        """A GraphQL multipart request (file upload): screened, then replayed to Strawberry; never cached."""
        limit = services.settings.max_upload_bytes + self.max_body_bytes  # the file plus operations and map
        screened = await screen_upload(scope, receive, declared, limit, services.documents)
        if isinstance(screened, Rejection):
            await JSONResponse(screened.body(), status_code=screened.status)(scope, receive, send)
            return
        await self.app(scope, _replay(screened, receive), send)

    def _post_request(self, body: bytes, if_none_match: str | None) -> _Request | Response:
        try:
            payload = orjson.loads(body)  # also refuses bytes that are not UTF-8
        except orjson.JSONDecodeError:
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "The body is not valid JSON.")
        if isinstance(payload, list):
            return _reject(400, "BATCHING_DISABLED", "Batched operations are not accepted; send one per request.")
        if not isinstance(payload, dict):
            return _reject(400, "INVALID_GRAPHQL_REQUEST", "The body must be a JSON object with a query.")
        return _Request(payload, False, if_none_match, body)

    @staticmethod
    def _get_request(scope: Scope, if_none_match: str | None) -> _Request | Response | None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if not query.keys() & {"query", "extensions", "operationName", "variables"}:
            return None
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

    async def _read(self, receive: Receive, declared: bytes) -> bytes | None:
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks)
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            if not message.get("more_body") and not chunks:
                return chunk  # the usual case: the whole body in one message
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    def _document_hash(payload: dict[str, Any]) -> str | None:
        """The document's SHA-256: of the query text, else a well-formed persisted-query hash; None: not cacheable."""
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        digest = None
        if isinstance(persisted, dict) and persisted.get("version") == 1:  # only a well-formed request may hit
            candidate = persisted.get("sha256Hash")
            digest = candidate.lower() if isinstance(candidate, str) and len(candidate) == 64 else None
        elif persisted is not None:
            return None
        query = payload.get("query")
        if isinstance(query, str) and query:
            digest = hashlib.sha256(query.encode()).hexdigest()
        return digest

    async def _serve_hit(
        self, send: Send, services: Any, key: str, etags: str | None, is_get: bool, known: _Known
    ) -> bool:
        cache: ResponseCache = services.response_cache
        hit = await cache.get(key)
        if hit is None:
            return False
        started = time.perf_counter()
        await _send_cached(send, hit, is_get, etags, time.time())
        services.metrics.operation(known.label, "cached", time.perf_counter() - started)
        return True

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request: _Request,
        services: Any,
        credential: str | None,
        missed: _Known | None = None,
    ) -> None:
        """``missed``: the request's digest, already looked up in the response cache without a hit."""
        cache: ResponseCache | None = services.response_cache
        key = None
        known = missed
        if cache is not None and credential and missed is not None:
            key = cache.scoped(credential, missed.digest)
        document_hash = self._document_hash(request.payload) if cache is not None and credential and not key else None
        if cache is not None and credential and document_hash is not None:
            payload = request.payload
            known = _Known(
                request_digest(document_hash, payload.get("operationName"), payload.get("variables")),
                operation_label(_operation_name(payload)),
            )
            self._digests.remember(request.raw, known)
            key = cache.scoped(credential, known.digest)
            if await self._serve_hit(send, services, key, request.if_none_match, request.is_get, known):
                return
        documents: PersistedDocuments = services.documents
        resolved = await documents.resolve(request.payload)
        if isinstance(resolved, Rejection):
            await JSONResponse(resolved.body(), status_code=resolved.status)(scope, receive, send)
            return
        if request.is_get and _operation_kind(str(resolved.get("query", "")), resolved.get("operationName")) != "query":
            await _reject(405, "METHOD_NOT_ALLOWED", "Only queries may be sent with GET.")(scope, receive, send)
            return
        if key is None or known is None or cache is None:
            await self._execute(scope, receive, send, request, resolved, None, None)
            return
        # One execution per key at a time: when a stored response expires under load, identical
        # requests arriving meanwhile wait for the first one's answer and are served it from the
        # cache; if it was not stored (it had errors), each executes after all.
        leader = self._inflight.get(key)
        if leader is not None:
            await asyncio.shield(leader)
            if await self._serve_hit(send, services, key, request.if_none_match, request.is_get, known):
                return
        with self._leading(key, first=leader is None):
            await self._execute(scope, receive, send, request, resolved, key, cache)

    @contextmanager
    def _leading(self, key: str, *, first: bool) -> Iterator[None]:
        """While the first request for ``key`` executes, the others find its future in ``_inflight``."""
        if not first:
            yield
            return
        done = asyncio.get_running_loop().create_future()
        self._inflight[key] = done
        try:
            yield
        finally:
            del self._inflight[key]
            done.set_result(None)

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
            await _send_cached(send, stored, request.is_get, request.if_none_match, time.time())
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _send_cached(send: Send, cached: CachedResponse, is_get: bool, etags: str | None, now: float) -> None:
    headers, body = cached.representation(negotiated.get())  # the client's media type and coding, as stored
    if is_get:
        headers = (*headers, (b"cache-control", f"private, max-age={cached.max_age(now)}".encode()))
    if etags and cached.etag in {tag.strip() for tag in etags.split(",")}:
        headers = tuple(h for h in headers if h[0] != b"content-length")
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
