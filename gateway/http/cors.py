"""Cross-origin access for browsers: which other origins may call ``/graphql``, over HTTP and WebSocket.

``GATEWAY_CORS_ORIGINS`` lists origins, exactly (``https://app.example.com``) or as patterns: a ``*``
for one or more host labels (``https://*.example.com``) or for the port (``http://localhost:*``).
A lone ``*`` admits every origin (then without credentials). Unset, the sandbox admits the loopback
origins on any port and a real deployment admits none; an empty value admits none anywhere.

HTTP goes through Starlette's ``CORSMiddleware``, placed before auth so a preflight (which never
carries credentials) is answered 200 for a listed origin. Browsers do not apply CORS to WebSockets,
so Strawberry checks the handshake's ``Origin`` with the same ``OriginPolicy``: neither this host
nor listed is refused (403) before any subscription starts. Clients that are not browsers send no
``Origin`` and pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.headers import edge_headers

__all__ = [
    "ALLOWED_HEADERS",
    "EXPOSED_HEADERS",
    "SANDBOX_ORIGINS",
    "Cors",
    "OriginPolicy",
    "origins_of",
    "parse_origins",
]

SANDBOX_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*")
# What a GraphQL client sends: credentials, conditional requests, tracing and Apollo's client headers.
ALLOWED_HEADERS = (
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "Accept",
    "If-None-Match",
    "X-Request-Id",
    "traceparent",
    "tracestate",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
EXPOSED_HEADERS = ("ETag", "X-Request-Id")
_HOST_LABELS = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PORT = r"[0-9]{1,5}"
_ORIGIN = re.compile(r"([a-z][a-z0-9+.-]*)://(\[[0-9a-f:.]+\]|[^:/\[\]@]+)(?::([0-9]{1,5}|\*))?")
BAD_PATTERN = "A CORS origin is scheme://host[:port], with '*' only for host labels or the port: {!r}"


def parse_origins(value: str) -> tuple[str, ...]:
    """Comma- or space-separated origins, without a trailing slash."""
    return tuple(part.rstrip("/").lower() for part in re.split(r"[,\s]+", value) if part.strip())


def origins_of(configured: str | None, *, sandbox: bool) -> tuple[str, ...]:
    """``GATEWAY_CORS_ORIGINS`` as a list; unset: the loopback origins in the sandbox, none otherwise."""
    if configured is None:
        return SANDBOX_ORIGINS if sandbox else ()
    origins = parse_origins(configured)
    OriginPolicy(origins)  # a malformed entry stops the start, it is not found at the first request
    return origins


def _pattern(origin: str) -> str:
    match = _ORIGIN.fullmatch(origin)
    if match is None:
        raise ValueError(BAD_PATTERN.format(origin))
    scheme, host, port = match.groups()
    host_re = re.escape(host).replace(r"\*", _HOST_LABELS)
    port_re = "" if port is None else ":" + (_PORT if port == "*" else port)
    return re.escape(scheme) + "://" + host_re + port_re


class OriginPolicy:
    """Exact origins and patterns, checked the same way for HTTP (via Starlette) and WebSocket."""

    def __init__(self, origins: Iterable[str]) -> None:
        entries = tuple(origins)
        self.allow_all = "*" in entries
        self.exact = tuple(o for o in entries if "*" not in o)
        patterns = [_pattern(o) for o in entries if "*" in o and o != "*"]
        for origin in self.exact:
            _pattern(origin)  # refuse a malformed entry at start, not at the first request
        self.regex = "|".join(f"(?:{p})" for p in patterns) or None
        self._compiled = re.compile(self.regex) if self.regex else None

    @property
    def empty(self) -> bool:
        return not (self.allow_all or self.exact or self.regex)

    def allows(self, origin: str) -> bool:
        if self.allow_all or origin in self.exact:
            return True
        return self._compiled is not None and self._compiled.fullmatch(origin) is not None


class Cors:
    """Pure ASGI: CORS for HTTP requests (the WebSocket handshake is checked by the GraphQL view)."""

    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...], origins: Iterable[str]) -> None:
        self.app = app
        self.paths = paths  # only the API: the webhook receiver and metrics stay same-origin
        self.policy = OriginPolicy(origins)
        self.http: ASGIApp = app
        if not self.policy.empty:
            self.http = CORSMiddleware(
                app,
                allow_origins=("*",) if self.policy.allow_all else self.policy.exact,
                allow_origin_regex=self.policy.regex,
                allow_methods=("GET", "POST"),
                allow_headers=ALLOWED_HEADERS,
                # the gateway reads no cookies; credentialed fetches (credentials: "include") still work
                allow_credentials=not self.policy.allow_all,
                expose_headers=EXPOSED_HEADERS,
                max_age=600,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # No Origin: not a cross-origin browser request, nothing to grant (and no cost on the hit path)
        if scope["type"] == "http" and scope["path"] in self.paths and edge_headers(scope).origin is not None:
            await self.http(scope, receive, send)
        else:
            await self.app(scope, receive, send)
