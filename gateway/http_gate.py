"""The front door of ``/graphql``: every way into execution passes the same ordered checks, once.

Pure ASGI, so a rejection costs neither a GraphQL parse nor an upstream call, and a response-cache
hit costs neither. In order:

1. header size: a header over ``max_header_bytes`` gets 431 ``HEADER_TOO_LARGE``;
2. body: only ``application/json`` (or ``application/graphql-response+json``) is read, and a body
   over ``max_body_bytes`` is refused while it streams in (413, ``PAYLOAD_TOO_LARGE``);
3. credential (``gateway/auth.py``): 401 ``UNAUTHENTICATED`` before any upstream call; only the bare
   GraphiQL page (GET, ``Accept: text/html``, no GraphQL parameters) is served without one;
4. inbound rate per principal: 429 ``THROTTLED`` with ``retryAfter``;
5. the request's shape: a JSON object (400 ``INVALID_GRAPHQL_REQUEST``, ``BATCHING_DISABLED``), a
   stored response served as bytes with its ETag (304 on ``If-None-Match``), a persisted-query
   hash verified and swapped for its document;
6. Strawberry, handed the parsed request through the ASGI scope (the body is never replayed):
   token limit while parsing, then depth, aliases, root fields, cost and validation; an APQ
   document is stored only after it passed all of them.

WebSocket handshakes pass steps 1, 3 and 4 here when they carry a credential header, else in
``connection_init`` (``GatewayGraphQL.on_ws_connect``); each operation a socket then starts spends
the principal's rate again (``gateway/ws.py``). GET carries persisted queries only (never a
mutation); its responses say ``Cache-Control: private, max-age=<ttl>``. Every response that depends
on the credential says ``Vary: Authorization, X-API-Key``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth import Principal
from gateway.cache.trace import ReadTrace, read_trace
from gateway.compression import negotiated
from gateway.headers import oversized, pick
from gateway.persisted import PersistedDocuments, Rejection
from gateway.response_cache import CachedResponse, ResponseCache, request_digest
from gateway.uploads import replay, screen_upload
from schema.documents import document_passed
from schema.telemetry import operation_label

__all__ = ["GraphQLGate", "parsed_request"]

# The parsed request, handed to Strawberry's ``parse_http_body`` for the one execution it is set around.
parsed_request: ContextVar[dict[str, Any] | None] = ContextVar("parsed_request", default=None)
JSON_MEDIA_TYPES = frozenset({b"application/json", b"application/graphql-response+json"})
VARY = (b"vary", b"Authorization, X-API-Key")
_GRAPHQL_PARAMS = frozenset({"query", "extensions", "operationName", "variables"})


async def _send_rejection(rejection: Rejection, scope: Scope, receive: Receive, send: Send) -> None:
    await rejection.response()(scope, receive, send)


def _invalid(message: str) -> Rejection:
    return Rejection(400, "INVALID_GRAPHQL_REQUEST", message)


@functools.lru_cache(maxsize=512)
def _operation_kind(document: str, operation_name: str | None, max_tokens: int) -> str | None:
    try:
        parsed = parse(document, max_tokens=max_tokens)  # the same token limit as every other path
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


def _shape(payload: dict[str, Any]) -> Rejection | None:
    """The GraphQL-over-HTTP request shape, refused with a code (Strawberry would answer text/plain)."""
    query, extensions = payload.get("query"), payload.get("extensions")
    if query is not None and not isinstance(query, str):
        return _invalid("The request's `query` must be a string.")
    if not isinstance(payload.get("variables"), dict | None):
        return _invalid("The request's `variables` must be an object.")
    if not isinstance(extensions, dict | None):
        return _invalid("The request's `extensions` must be an object.")
    if not isinstance(payload.get("operationName"), str | None):
        return _invalid("The request's `operationName` must be a string.")
    if not query and not (extensions and "persistedQuery" in extensions):
        return _invalid("No GraphQL query found in the request.")
    return None


@dataclass(slots=True)
class _Request:
    payload: dict[str, Any]
    is_get: bool
    if_none_match: str | None
    principal: Principal
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
    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        max_body_bytes: int,
        services: Any,
        max_header_bytes: int = 8 * 1024,
        max_tokens: int = 2000,
        graphiql: bool = False,
    ) -> None:
        assert max_body_bytes > 0, "max_body_bytes must be positive"
        assert max_header_bytes > 0, "max_header_bytes must be positive"
        self.app = app
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.max_tokens = max_tokens
        self.graphiql = graphiql
        self.services = services  # a callable giving this app's Services (made in the lifespan)
        self._digests = _Digests()
        self._inflight: dict[str, asyncio.Future[None]] = {}  # response-cache keys being executed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") != self.path or scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)  # preflight: answered by the CORS layer (or 405)
        elif scope["method"] not in {"GET", "POST"}:
            await _send_rejection(
                Rejection(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "Use POST (or GET for persisted queries).",
                    headers={"Allow": "GET, POST"},
                ),
                scope,
                receive,
                send,
            )
        else:
            await self._http(scope, receive, send)

    async def _admit(self, scope: Scope, services: Any, authorization: bytes, api_key: bytes) -> Principal | Rejection:
        """Credential, then the principal's inbound rate: the same for every way in."""
        principal: Principal | Rejection = await services.authenticator.admit(authorization, api_key)
        if isinstance(principal, Rejection):
            return principal
        if services.inbound is not None:
            wait = await services.inbound.spend(principal.id)
            if wait is not None:
                return Rejection(
                    429,
                    "THROTTLED",
                    f"Too many requests for this credential; try again in {wait} s.",
                    {"retryAfter": wait},
                    {"Retry-After": str(wait)},
                )
        scope.setdefault("state", {})["principal"] = principal
        return principal

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization, api_key = pick(scope, b"authorization", b"x-api-key")
        if oversized(scope, self.max_header_bytes) is not None:
            await send({"type": "websocket.close", "code": 1008, "reason": "HEADER_TOO_LARGE"})
            return
        if authorization or api_key:
            admitted = await self._admit(scope, self.services(scope["app"]), authorization, api_key)
            if isinstance(admitted, Rejection):
                await send({"type": "websocket.close", "code": 1008, "reason": admitted.code})  # 403 at the handshake
                return
        # Browsers cannot set headers on a websocket: connection_init's payload carries the credential.
        await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = oversized(scope, self.max_header_bytes)
        if name is not None:
            message = f"The {name} header is longer than {self.max_header_bytes} bytes."
            await _send_rejection(Rejection(431, "HEADER_TOO_LARGE", message), scope, receive, send)
            return
        content_type, content_length, if_none_match, authorization, api_key, accept = pick(
            scope, b"content-type", b"content-length", b"if-none-match", b"authorization", b"x-api-key", b"accept"
        )
        is_get = scope["method"] == "GET"
        body = b""
        query: dict[str, list[str]] = {}
        if is_get:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if not query.keys() & _GRAPHQL_PARAMS and b"text/html" in accept:
                # the bare IDE page is static; the queries it sends are admitted like any other
                if self.graphiql:
                    await self.app(scope, receive, send)
                else:
                    await _send_rejection(Rejection(404, "NOT_FOUND", "GraphiQL is off here."), scope, receive, send)
                return
        elif content_type.split(b";", 1)[0].strip().lower() == b"multipart/form-data":
            # a file upload: admitted first (before its larger body is read), then screened
            services = self.services(scope["app"])
            admitted = await self._admit(scope, services, authorization, api_key)
            if isinstance(admitted, Rejection):
                await _send_rejection(admitted, scope, receive, send)
            else:
                await self._upload(scope, receive, send, services, content_length)
            return
        elif content_type.split(b";", 1)[0].strip().lower() not in JSON_MEDIA_TYPES:
            rejection = Rejection(
                415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json (or multipart/form-data)."
            )
            await _send_rejection(rejection, scope, receive, send)
            return
        else:
            read = await self._read(receive, content_length)
            if read is None:
                rejection = Rejection(
                    413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes."
                )
                await _send_rejection(rejection, scope, receive, send)
                return
            body = read
        services = self.services(scope["app"])
        principal = await self._admit(scope, services, authorization, api_key)
        if isinstance(principal, Rejection):
            await _send_rejection(principal, scope, receive, send)
            return
        cache: ResponseCache | None = services.response_cache
        credential = principal.opensolar_token if cache is not None else None
        etags = if_none_match.decode("latin-1") or None
        if not is_get and cache is not None and credential and (known := self._digests.get(body)) is not None:
            # a body seen before: straight to the cache, no parsing
            if await self._serve_hit(send, services, cache.scoped(credential, known.digest), etags, False, known):
                return
            missed = _Request(orjson.loads(body), False, etags, principal, body)
            await self._serve(scope, receive, send, missed, services, credential, known)
            return
        request = self._get_request(query, etags, principal) if is_get else self._post_request(body, etags, principal)
        if isinstance(request, Rejection):
            await _send_rejection(request, scope, receive, send)
        else:
            await self._serve(scope, receive, send, request, services, credential)

    async def _upload(self, scope: Scope, receive: Receive, send: Send, services: Any, declared: bytes) -> None:
        """A GraphQL multipart request (file upload): screened, then replayed to Strawberry; never cached."""
        limit = services.settings.max_upload_bytes + self.max_body_bytes  # the file plus operations and map
        screened = await screen_upload(scope, receive, declared, limit, services.documents)
        if isinstance(screened, Rejection):
            await _send_rejection(screened, scope, receive, send)
            return
        await self.app(scope, replay(screened, receive), send)

    @staticmethod
    def _post_request(body: bytes, if_none_match: str | None, principal: Principal) -> _Request | Rejection:
        try:
            payload = orjson.loads(body)  # also refuses bytes that are not UTF-8
        except orjson.JSONDecodeError:
            return _invalid("The body is not valid JSON.")
        if isinstance(payload, list):
            return Rejection(400, "BATCHING_DISABLED", "Batched operations are not accepted; send one per request.")
        if not isinstance(payload, dict):
            return _invalid("The body must be a JSON object with a query.")
        return _shape(payload) or _Request(payload, False, if_none_match, principal, body)

    @staticmethod
    def _get_request(
        query: dict[str, list[str]], if_none_match: str | None, principal: Principal
    ) -> _Request | Rejection:
        if "query" in query or "extensions" not in query:
            return Rejection(
                405, "METHOD_NOT_ALLOWED", "Send operations with POST; GET carries persisted queries only."
            )
        try:
            payload: dict[str, Any] = {
                name: orjson.loads(query[name][0]) for name in ("extensions", "variables") if name in query
            }
        except orjson.JSONDecodeError:
            return _invalid("extensions and variables must be JSON.")
        if "operationName" in query:
            payload["operationName"] = query["operationName"][0]
        return _shape(payload) or _Request(payload, True, if_none_match, principal)

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
        """The document's SHA-256: of the query text, else a well-formed persisted-query hash; None: not cacheable.

        A request whose persisted-query hash is malformed or does not match its query is never served
        from the cache: ``PersistedDocuments.resolve`` answers it with its code.
        """
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        digest = None
        if isinstance(persisted, dict) and persisted.get("version") == 1:  # only a well-formed request may hit
            candidate = persisted.get("sha256Hash")
            if not isinstance(candidate, str) or len(candidate) != 64:
                return None
            digest = candidate.lower()
        elif persisted is not None:
            return None
        query = payload.get("query")
        if isinstance(query, str) and query:
            of_query = hashlib.sha256(query.encode()).hexdigest()
            if digest is not None and digest != of_query:
                return None
            digest = of_query
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
            await _send_rejection(resolved, scope, receive, send)
            return
        document = str(resolved.payload.get("query", ""))
        if request.is_get and _operation_kind(document, resolved.payload.get("operationName"), self.max_tokens) not in {
            "query",
            None,  # None: it does not parse within the limits; Strawberry answers with the code
        }:
            rejection = Rejection(405, "METHOD_NOT_ALLOWED", "Only queries may be sent with GET.")
            await _send_rejection(rejection, scope, receive, send)
            return
        execution = _Execution(request, resolved.payload, resolved.register, documents)
        if key is None or known is None or cache is None:
            await self._execute(scope, receive, send, execution, None, None)
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
            await self._execute(scope, receive, send, execution, key, cache)

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
        execution: _Execution,
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
            await self.app(inner, receive, capture)
        finally:
            read_trace.reset(token)
            document_passed.reset(passed_token)
            parsed_request.reset(request_token)
        body = b"".join(chunks)
        if passed and execution.register is not None:
            await execution.documents.register(execution.register, execution.payload["query"], request.principal.id)
        if status >= 400 and not any(k == b"content-type" and b"json" in v for k, v in headers):
            # Strawberry's own refusals are text/plain: every error here carries a code
            rejection = _invalid(body.decode("utf-8", "replace")[:200] or "The request was refused.")
            await _send_rejection(Rejection(status, rejection.code, rejection.message), scope, receive, send)
            return
        stored = None
        if key is not None and cache is not None and status == 200 and trace.cacheable and trace.ttl_s is not None:
            stored = await cache.put(key, body, trace.ttl_s, trace.tags)
        if stored is not None:
            await _send_cached(send, stored, request.is_get, request.if_none_match, time.time())
            return
        headers.append(VARY)
        if request.is_get and status == 200:
            headers.append((b"cache-control", b"private, no-store"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True, slots=True)
class _Execution:
    request: _Request
    payload: dict[str, Any]  # the request with its document resolved
    register: str | None  # an APQ hash to store the document under once it passed validation
    documents: PersistedDocuments


async def _send_cached(send: Send, cached: CachedResponse, is_get: bool, etags: str | None, now: float) -> None:
    headers, body = cached.representation(negotiated.get())  # the client's media type and coding, as stored
    headers = (*headers, VARY)
    if is_get:
        headers = (*headers, (b"cache-control", f"private, max-age={cached.max_age(now)}".encode()))
    if etags and cached.etag in {tag.strip() for tag in etags.split(",")}:
        headers = tuple(h for h in headers if h[0] != b"content-length")
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
