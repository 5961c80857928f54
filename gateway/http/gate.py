"""The front door of ``/graphql``: every way into execution passes the same ordered checks, once.

Pure ASGI, so a rejection costs neither a GraphQL parse nor an upstream call, and a response-cache
hit costs neither. In order:

1. header size: a header over ``max_header_bytes`` gets 431 ``HEADER_TOO_LARGE``;
2. body: only ``application/json`` (or ``application/graphql-response+json``) is read, and a body
   over ``max_body_bytes`` is refused while it streams in (413, ``PAYLOAD_TOO_LARGE``);
3. credential (``gateway/http/auth.py``): 401 ``UNAUTHENTICATED`` before any upstream call; only the bare
   GraphiQL page (GET, ``Accept: text/html``, no GraphQL parameters) is served without one;
4. inbound rate per principal: 429 ``THROTTLED`` with ``retryAfter``;
5. the request's shape: a JSON object (400 ``INVALID_GRAPHQL_REQUEST``, ``BATCHING_DISABLED``), a
   stored response served as bytes with its ETag (304 on ``If-None-Match``), a persisted-query
   hash verified and swapped for its document;
6. identical queries in flight from one scope (credential, media type, document, variables) execute
   once: the others are sent that answer (``gateway/http/coalesce.py``); mutations always execute;
7. Strawberry, handed the parsed request through the ASGI scope (the body is never replayed):
   token limit while parsing, then depth, aliases, root fields, cost and validation; an APQ
   document is stored only after it passed all of them.

WebSocket handshakes pass steps 1, 3 and 4 here when they carry a credential header, else in
``connection_init`` (``GatewayGraphQL.on_ws_connect``); each operation a socket then starts spends
the principal's rate again (``gateway/http/ws.py``). GET carries persisted queries only (never a
mutation); its responses say ``Cache-Control: private, max-age=<ttl>``. Every response that depends
on the credential says ``Vary: Authorization, X-API-Key``.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qs

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.headers import edge_headers
from gateway.http.auth import Principal
from gateway.http.body import JSON_MEDIA_TYPES, media_of, read_body
from gateway.http.coalesce import Coalescer, coalescing_key
from gateway.http.edge import Edge, EdgeState
from gateway.http.execution import Answer, Execution, execute, parsed_request, send_answer
from gateway.http.persisted import Rejection
from gateway.http.shape import GRAPHQL_PARAMS, ParsedRequest, get_request, operation_kind, operation_name, post_request
from gateway.http.uploads import replay, screen_upload
from gateway.observability import operation_label
from gateway.response_cache.hit import serve_hit
from gateway.response_cache.keys import Known, RememberedDigests, document_hash, request_digest

__all__ = ["GraphQLGate"]


_UNSUPPORTED_MEDIA_TYPE = Rejection(
    415, "UNSUPPORTED_MEDIA_TYPE", "Send the request as application/json (or multipart/form-data)."
)


async def _send_rejection(rejection: Rejection, scope: Scope, receive: Receive, send: Send) -> None:
    await rejection.response()(scope, receive, send)


class GraphQLGate:
    _post_request = staticmethod(post_request)
    _get_request = staticmethod(get_request)

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        max_body_bytes: int,
        state: EdgeState,
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
        self.state = state  # filled by the lifespan
        self._digests = RememberedDigests()
        self._executions: Coalescer[Answer] = Coalescer()  # identical queries in flight execute once

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

    async def _admit(self, scope: Scope, edge: Edge, authorization: bytes, api_key: bytes) -> Principal | Rejection:
        """Credential, then the principal's inbound rate: the same for every way in."""
        principal: Principal | Rejection = await edge.authenticator.admit(authorization, api_key)
        if isinstance(principal, Rejection):
            return principal
        if edge.inbound is not None:
            wait = await edge.inbound.spend(principal.id)
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
        headers = edge_headers(scope)
        authorization, api_key = headers.authorization, headers.api_key
        if headers.oversized(self.max_header_bytes) is not None:
            await send({"type": "websocket.close", "code": 1008, "reason": "HEADER_TOO_LARGE"})
            return
        if authorization or api_key:
            admitted = await self._admit(scope, self.state.require(), authorization, api_key)
            if isinstance(admitted, Rejection):
                await send({"type": "websocket.close", "code": 1008, "reason": admitted.code})  # 403 at the handshake
                return
        # Browsers cannot set headers on a websocket: connection_init's payload carries the credential.
        await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = edge_headers(scope)
        name = headers.oversized(self.max_header_bytes)
        if name is not None:
            message = f"The {name} header is longer than {self.max_header_bytes} bytes."
            await _send_rejection(Rejection(431, "HEADER_TOO_LARGE", message), scope, receive, send)
            return
        authorization, api_key, accept = headers.authorization, headers.api_key, headers.accept
        content_type, if_none_match = headers.content_type, headers.if_none_match
        is_get = scope["method"] == "GET"
        body = b""
        query: dict[str, list[str]] = {}
        if is_get:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if not query.keys() & GRAPHQL_PARAMS and b"text/html" in accept:
                # the bare IDE page is static; the queries it sends are admitted like any other
                if self.graphiql:
                    await self.app(scope, receive, send)
                else:
                    await _send_rejection(Rejection(404, "NOT_FOUND", "GraphiQL is off here."), scope, receive, send)
                return
        elif media_of(content_type) == b"multipart/form-data":
            await self._upload(scope, receive, send, authorization, api_key, headers.content_length)
            return
        elif media_of(content_type) not in JSON_MEDIA_TYPES:
            await _send_rejection(_UNSUPPORTED_MEDIA_TYPE, scope, receive, send)
            return
        else:
            read = await read_body(receive, headers.content_length, self.max_body_bytes)
            if read is None:
                rejection = Rejection(
                    413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes."
                )
                await _send_rejection(rejection, scope, receive, send)
                return
            body = read
        edge = self.state.require()
        principal = await self._admit(scope, edge, authorization, api_key)
        if isinstance(principal, Rejection):
            await _send_rejection(principal, scope, receive, send)
            return
        cache = edge.response_cache
        credential = principal.opensolar_token if cache is not None else None
        etags = if_none_match.decode("latin-1") or None
        if not is_get and cache is not None and credential and (known := self._digests.get(body)) is not None:
            # a body seen before: straight to the cache, no parsing
            if await serve_hit(send, cache, edge.metrics, cache.scoped(credential, known.digest), etags, False, known):
                return
            missed = ParsedRequest(orjson.loads(body), False, etags, principal, body, accept)
            await self._serve(scope, receive, send, missed, edge, credential, known)
            return
        request = self._get_request(query, etags, principal) if is_get else self._post_request(body, etags, principal)
        if isinstance(request, Rejection):
            await _send_rejection(request, scope, receive, send)
        else:
            request.accept = accept
            await self._serve(scope, receive, send, request, edge, credential)

    async def _upload(
        self, scope: Scope, receive: Receive, send: Send, authorization: bytes, api_key: bytes, declared: bytes
    ) -> None:
        """A GraphQL multipart request (file upload): admitted first (before its larger body is read),
        then screened and parsed once, handed on parsed; never cached."""
        edge = self.state.require()
        admitted = await self._admit(scope, edge, authorization, api_key)
        if isinstance(admitted, Rejection):
            await _send_rejection(admitted, scope, receive, send)
            return
        limit = edge.max_upload_bytes + self.max_body_bytes  # the file plus operations and map
        screened = await screen_upload(scope, receive, declared, limit, edge.documents)
        if isinstance(screened, Rejection):
            await _send_rejection(screened, scope, receive, send)
            return
        try:
            if screened.payload is None:  # a map or operation Strawberry refuses: it answers as it always has
                await self.app(scope, replay(screened.body, receive), send)
                return
            token = parsed_request.set(screened.payload)
            try:
                await self.app(scope, receive, send)
            finally:
                parsed_request.reset(token)
        finally:
            await screened.form.close()

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request: ParsedRequest,
        edge: Edge,
        credential: str | None,
        missed: Known | None = None,
    ) -> None:
        """``missed``: the request's digest, already looked up in the response cache without a hit."""
        cache = edge.response_cache
        key = None
        known = missed
        if cache is not None and credential and missed is not None:
            key = cache.scoped(credential, missed.digest)
        hashed = document_hash(request.payload) if cache is not None and credential and not key else None
        if cache is not None and credential and hashed is not None:
            payload = request.payload
            known = Known(
                request_digest(hashed, payload.get("operationName"), payload.get("variables")),
                operation_label(operation_name(payload)),
            )
            self._digests.remember(request.raw, known)
            key = cache.scoped(credential, known.digest)
            if await serve_hit(send, cache, edge.metrics, key, request.if_none_match, request.is_get, known):
                return
        documents = edge.documents
        resolved = await documents.resolve(request.payload)
        if isinstance(resolved, Rejection):
            await _send_rejection(resolved, scope, receive, send)
            return
        document = str(resolved.payload.get("query", ""))
        if request.is_get and operation_kind(document, resolved.payload.get("operationName"), self.max_tokens) not in {
            "query",
            None,  # None: it does not parse within the limits; Strawberry answers with the code
        }:
            rejection = Rejection(405, "METHOD_NOT_ALLOWED", "Only queries may be sent with GET.")
            await _send_rejection(rejection, scope, receive, send)
            return
        execution = Execution(request, resolved.payload, resolved.register, documents)
        # Identical queries from one scope execute once, cacheable or not: a request arriving while one
        # runs is sent its answer (a stored one as a hit: the request's own ETag/304 and codings). An
        # answer in parts (@defer, @stream) goes out as it comes and is not shared.
        run = functools.partial(execute, self.app, scope, receive, send, execution, key, cache)
        generation = cache.generations.now if cache is not None else None  # not joined across an eviction
        answer = await self._executions.once(self._coalescing_key(execution, document), run, generation)
        if answer is not None:
            await send_answer(scope, receive, send, request, answer)

    def _coalescing_key(self, execution: Execution, document: str) -> str | None:
        """The scope of one execution; None for a mutation (or anything not a query): it always executes."""
        payload, request = execution.payload, execution.request
        name = payload.get("operationName")
        if operation_kind(document, name, self.max_tokens) != "query":
            return None
        registers = execution.register is not None
        return coalescing_key(request.principal.id, request.accept, document, name, payload.get("variables"), registers)
