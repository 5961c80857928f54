"""Who is calling, decided before any upstream call.

- Pass-through: ``Authorization: Bearer <OpenSolar token>`` is forwarded as is; the caller sees
  exactly what that token sees (``GATEWAY_PASS_THROUGH``, on by default).
- Server credentials: ``X-API-Key: <key>`` whose SHA-256 is in ``GATEWAY_API_KEYS`` uses
  ``OPENSOLAR_TOKEN``. Keys are stored only as hashes and compared as hashes.
- Sandbox mode: open for local use (it serves made-up data); it says so in its log.

Anything else is refused with 401 and ``UNAUTHENTICATED``. Cache scopes follow the credential sent
upstream, so API-key callers share the server token's scope and pass-through callers their own.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.cache.scope import fingerprint

__all__ = ["AuthMiddleware", "Principal", "PrincipalKind", "authenticate", "hash_api_key"]

API_KEY_HEADER = "x-api-key"


class PrincipalKind(StrEnum):
    PASS_THROUGH = "pass-through"  # noqa: S105 - a kind of caller, not a secret
    API_KEY = "api-key"
    SANDBOX = "sandbox"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    opensolar_token: str | None
    id: str  # a fingerprint for logs and metrics, never a credential


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def authenticate(
    headers: Mapping[str, str],
    *,
    api_key_hashes: frozenset[str],
    pass_through: bool,
    server_token: str | None,
    sandbox: bool,
) -> Principal | None:
    """The principal for these (lower-cased) headers, or None: refuse."""
    key = headers.get(API_KEY_HEADER)
    if key:
        digest = hash_api_key(key)
        if server_token and any(hmac.compare_digest(digest, known) for known in api_key_hashes):
            return Principal(PrincipalKind.API_KEY, server_token, f"key-{digest[:12]}")
        return None
    token = _bearer(headers)
    if token:
        return Principal(PrincipalKind.PASS_THROUGH, token, f"token-{fingerprint(token)}") if pass_through else None
    if sandbox:
        return Principal(PrincipalKind.SANDBOX, server_token, "sandbox")
    return None


class AuthMiddleware:
    """Pure ASGI: puts the principal in ``scope["state"]`` or answers 401 for ``paths``."""

    def __init__(
        self, app: ASGIApp, *, paths: tuple[str, ...], resolve: Callable[[Any, Mapping[str, str]], Principal | None]
    ) -> None:
        self.app = app
        self.paths = paths
        self.resolve = resolve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"} or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        # The IDE page itself is static; the queries it sends are authenticated like any other.
        ide_page = scope["type"] == "http" and scope["method"] == "GET" and "text/html" in headers.get("accept", "")
        principal = self.resolve(scope["app"], headers)
        # Browsers cannot set headers on a websocket: its connection_init payload carries the credential.
        deferred = principal is None and scope["type"] == "websocket"
        if principal is None and not ide_page and not deferred:
            response = JSONResponse(
                {
                    "errors": [
                        {
                            "message": "Send your OpenSolar token (Authorization: Bearer ...) or a gateway API key "
                            "(X-API-Key).",
                            "extensions": {"code": "UNAUTHENTICATED"},
                        }
                    ]
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="solar-gateway"'},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
