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
from gateway.headers import pick

__all__ = ["AuthMiddleware", "Authenticator", "Principal", "PrincipalKind", "authenticate", "hash_api_key"]

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


class Authenticator:
    """``authenticate`` with this process's configuration, remembered per credential header.

    A frontend sends the same credential on every request; hashing an API key (or fingerprinting a
    token) each time is wasted work on the response-cache hit path. The memo is keyed by the raw
    header values (the token is held by its ``Principal`` anyway), bounded, and oldest-first evicted.
    """

    MEMO_SIZE = 4096

    def __init__(
        self, *, api_key_hashes: frozenset[str], pass_through: bool, server_token: str | None, sandbox: bool
    ) -> None:
        self.api_key_hashes = api_key_hashes
        self.pass_through = pass_through
        self.server_token = server_token
        self.sandbox = sandbox
        self._memo: dict[tuple[str, str], Principal | None] = {}

    def principal(self, authorization: str, api_key: str) -> Principal | None:
        """The principal for these two header values ("" when absent), or None: refuse."""
        memo_key = (authorization, api_key)
        try:
            return self._memo[memo_key]
        except KeyError:
            pass
        principal = authenticate(
            {"authorization": authorization, API_KEY_HEADER: api_key},
            api_key_hashes=self.api_key_hashes,
            pass_through=self.pass_through,
            server_token=self.server_token,
            sandbox=self.sandbox,
        )
        if len(self._memo) >= self.MEMO_SIZE:
            del self._memo[next(iter(self._memo))]
        self._memo[memo_key] = principal
        return principal

    def for_headers(self, headers: Mapping[str, str]) -> Principal | None:
        """From lower-cased header names (or a websocket's connection_init payload)."""
        return self.principal(headers.get("authorization", ""), headers.get(API_KEY_HEADER, ""))


_UNAUTHENTICATED = {
    "errors": [
        {
            "message": "Send your OpenSolar token (Authorization: Bearer ...) or a gateway API key (X-API-Key).",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
}


class AuthMiddleware:
    """Pure ASGI: puts the principal in ``scope["state"]`` or answers 401 for ``paths``."""

    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...], authenticator: Callable[[Any], Authenticator]) -> None:
        self.app = app
        self.paths = paths
        self.authenticator = authenticator  # a callable giving this app's Authenticator (made in the lifespan)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"} or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        authorization, api_key, accept = pick(scope, b"authorization", b"x-api-key", b"accept")
        principal = self.authenticator(scope["app"]).principal(
            authorization.decode("latin-1"), api_key.decode("latin-1")
        )
        if principal is None:
            # The IDE page itself is static; the queries it sends are authenticated like any other.
            ide_page = scope["type"] == "http" and scope["method"] == "GET" and b"text/html" in accept
            # Browsers cannot set headers on a websocket: its connection_init payload carries the credential.
            if not ide_page and scope["type"] != "websocket":
                response = JSONResponse(
                    _UNAUTHENTICATED, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="solar-gateway"'}
                )
                await response(scope, receive, send)
                return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
