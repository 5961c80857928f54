"""Who is calling, decided at the front door before any upstream call.

- Pass-through: ``Authorization: Bearer <OpenSolar token>`` is forwarded as is; the caller sees
  exactly what that token sees (``GATEWAY_PASS_THROUGH``, on by default). Outside the sandbox a
  token is first verified with OpenSolar (``GET /api/fetch_token/``, not org-scoped, so it spends
  no org's budget) once per fingerprint: accepted tokens are remembered for
  ``GATEWAY_TOKEN_VERIFY_TTL_S``, refused ones are refused at the gateway for
  ``GATEWAY_TOKEN_REFUSED_TTL_S``. A made-up token therefore costs at most one upstream call, never
  reaches an org-scoped route and never spends the server's Arcadia key.
- Server credentials: ``X-API-Key: <key>`` whose SHA-256 is in ``GATEWAY_API_KEYS`` uses
  ``OPENSOLAR_TOKEN``. Keys are stored only as hashes and compared as hashes.
- Sandbox mode: open for local use (it serves made-up data); it says so in its log.

Anything else is refused with 401 and ``UNAUTHENTICATED``. Cache scopes follow the credential sent
upstream, so API-key callers share the server token's scope and pass-through callers their own.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import httpx
from cachetools import LRUCache

from gateway.cache.scope import fingerprint
from gateway.http.rejection import Rejection

__all__ = [
    "Authenticator",
    "Principal",
    "PrincipalKind",
    "TokenCheck",
    "authenticate",
    "hash_api_key",
    "opensolar_token_check",
]

logger = logging.getLogger("gateway.auth")
API_KEY_HEADER = "x-api-key"
# Accepted tokens are asked about again after this long: a revoked token keeps working this long at
# most (its upstream calls then fail with 401 anyway).
VERIFIED_TTL_S = 300.0
# A token OpenSolar refused is refused here, without asking again, for this long.
REFUSED_TTL_S = 600.0
# The memo of admitted credentials holds their text: bounded in bytes (8 KB headers: >= 512 of them).
MEMO_MAX_BYTES = 4 * 1024 * 1024
MEMO_ENTRY_OVERHEAD_BYTES = 256
# Refused fingerprints are 16 bytes each: 10,000 of them are well under 2 MB.
REFUSED_MAX_ENTRIES = 10_000

TokenCheck = Callable[[str], Awaitable[bool | None]]  # True: accepted, False: refused, None: unknown


class PrincipalKind(StrEnum):
    PASS_THROUGH = "pass-through"  # noqa: S105 - a kind of caller, not a secret
    API_KEY = "api-key"
    SANDBOX = "sandbox"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    opensolar_token: str | None
    id: str  # a fingerprint for logs, metrics and rate limits, never a credential


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


UNAUTHENTICATED = Rejection(
    401,
    "UNAUTHENTICATED",
    "Send your OpenSolar token (Authorization: Bearer ...) or a gateway API key (X-API-Key).",
    headers={"WWW-Authenticate": 'Bearer realm="solar-gateway"'},
)
REFUSED_UPSTREAM = Rejection(
    401,
    "UNAUTHENTICATED",
    "OpenSolar does not accept this token.",
    headers={"WWW-Authenticate": 'Bearer realm="solar-gateway", error="invalid_token"'},
)
UNVERIFIED = Rejection(
    503,
    "UPSTREAM_UNAVAILABLE",
    "opensolar: the token could not be verified now; try again shortly.",
    {"retryAfter": 5},
    {"Retry-After": "5"},
)


def _memo_size(entry: tuple[Principal, float, int]) -> int:
    return entry[2]


def _memo_key(authorization: bytes, api_key: bytes) -> bytes:
    return hashlib.blake2b(authorization + b"\n" + api_key, digest_size=16).digest()


class Authenticator:
    """``authenticate`` with this process's configuration, remembered per credential fingerprint.

    A frontend sends the same credential on every request; hashing an API key (or asking OpenSolar
    about a token) each time is wasted work on the response-cache hit path. Only admitted
    credentials are remembered, keyed by a fingerprint of the headers, bounded in bytes, least
    recently used first out (``cachetools.LRUCache``). Refusals are not remembered, except tokens
    OpenSolar refused: their 16-byte fingerprints, for ``refused_ttl_s``, in a bounded map.
    """

    def __init__(
        self,
        *,
        api_key_hashes: frozenset[str],
        pass_through: bool,
        server_token: str | None,
        sandbox: bool,
        check: TokenCheck | None = None,
        verified_ttl_s: float = VERIFIED_TTL_S,
        refused_ttl_s: float = REFUSED_TTL_S,
        memo_max_bytes: int = MEMO_MAX_BYTES,
        refused_max_entries: int = REFUSED_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_key_hashes = api_key_hashes
        self.pass_through = pass_through
        self.server_token = server_token
        self.sandbox = sandbox
        self.check = check  # None: tokens are not verified (the sandbox, which is open anyway)
        self.verified_ttl_s = verified_ttl_s
        self.refused_ttl_s = refused_ttl_s
        self.memo_max_bytes = memo_max_bytes
        self.refused_max_entries = refused_max_entries
        self._clock = clock
        # fingerprint -> (principal, until, bytes): bounded by the bytes it holds, least recently used out
        self._memo: LRUCache[bytes, tuple[Principal, float, int]] = LRUCache(memo_max_bytes, getsizeof=_memo_size)
        self._refused: OrderedDict[bytes, float] = OrderedDict()  # fingerprint -> refused until
        self._checking: dict[bytes, asyncio.Future[bool | None]] = {}
        self.stats: Counter[str] = Counter()

    def _resolve(self, authorization: bytes, api_key: bytes) -> Principal | None:
        return authenticate(
            {"authorization": authorization.decode("latin-1"), API_KEY_HEADER: api_key.decode("latin-1")},
            api_key_hashes=self.api_key_hashes,
            pass_through=self.pass_through,
            server_token=self.server_token,
            sandbox=self.sandbox,
        )

    async def admit(self, authorization: bytes, api_key: bytes) -> Principal | Rejection:
        """The principal for these two header values (``b""`` when absent), or why it is refused."""
        key = _memo_key(authorization, api_key)
        try:  # not LRUCache.get: that is two Python calls more, on every request
            entry: tuple[Principal, float, int] | None = self._memo[key]
        except KeyError:
            entry = None
        now = self._clock()
        if entry is not None and entry[1] >= now:
            return entry[0]
        principal = self._resolve(authorization, api_key)
        if principal is None:
            return UNAUTHENTICATED
        until = float("inf")
        if principal.kind is PrincipalKind.PASS_THROUGH and self.check is not None:
            refused_until = self._refused.get(key)
            if refused_until is not None and refused_until >= now:
                self.stats["refused_remembered"] += 1
                return REFUSED_UPSTREAM
            accepted = await self._verify(key, principal.opensolar_token or "")
            if accepted is None:
                return UNVERIFIED
            if not accepted:
                self._refuse(key)
                return REFUSED_UPSTREAM
            until = self._clock() + self.verified_ttl_s
        self._remember(key, principal, until, len(authorization) + len(api_key))
        return principal

    async def _verify(self, key: bytes, token: str) -> bool | None:
        """One upstream question per fingerprint at a time: concurrent callers share its answer."""
        assert self.check is not None
        pending = self._checking.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self._checking[key] = future
        answer: bool | None = None
        try:
            self.stats["checks"] += 1
            answer = await self.check(token)
        finally:
            del self._checking[key]
            future.set_result(answer)
        return answer

    @property
    def memo_bytes(self) -> int:
        """What the memo of admitted credentials holds, in the bytes its bound counts."""
        return int(self._memo.currsize)

    def _refuse(self, key: bytes) -> None:
        self.stats["refused"] += 1
        self._memo.pop(key, None)
        self._refused[key] = self._clock() + self.refused_ttl_s
        self._refused.move_to_end(key)
        while len(self._refused) > self.refused_max_entries:
            self._refused.popitem(last=False)

    def _remember(self, key: bytes, principal: Principal, until: float, size: int) -> None:
        size += MEMO_ENTRY_OVERHEAD_BYTES
        if size > self.memo_max_bytes:
            return
        self._memo[key] = (principal, until, size)  # replaces an entry under the same key, bytes and all

    def refused_count(self) -> int:
        return len(self._refused)

    def memo_count(self) -> int:
        return len(self._memo)


def opensolar_token_check(http: httpx.AsyncClient, base_url: str) -> TokenCheck:
    """Asks OpenSolar whether it accepts a token: ``GET /api/fetch_token/``, the credential test
    n8n's OpenSolar node uses (opensolar-api.md §1). It is not under ``/api/orgs/``, so it is charged
    to no org's budget."""

    async def check(token: str) -> bool | None:
        try:
            response = await http.get(
                f"{base_url}/api/fetch_token/", headers={"Authorization": f"Bearer {token}"}, timeout=10.0
            )
        except httpx.HTTPError as exc:
            logger.warning("token verification failed: %s", type(exc).__name__)
            return None
        if response.status_code in {401, 403}:
            return False
        if response.is_success:
            return True
        logger.warning("token verification: OpenSolar answered %d", response.status_code)
        return None

    return check
