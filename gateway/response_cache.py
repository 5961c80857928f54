"""The operation response cache: stored response bytes, served without parsing or executing anything.

Key: schema version, document hash, operation name, canonical variables and the fingerprint of the
credential used upstream, so different callers never share a response. A response is stored
only when every upstream read behind it was a fresh cacheable read, it has no errors and it is a
query; it lives as long as the shortest-lived of those reads and carries all their tags, so a
webhook about any of them evicts it (on every replica, with Redis). Each stored response has an
ETag; ``If-None-Match`` gets 304.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.cache.decoded import DecodedEntries
from gateway.cache.scope import fingerprint
from gateway.cache.store import CacheStore

__all__ = ["MIN_TTL_S", "CachedResponse", "ResponseCache", "etag_of", "request_digest"]

_PREFIX = "sg:v1:resp:"
MIN_TTL_S = 1.0  # a response that would live less than this is not worth a write


def request_digest(document_hash: str, operation_name: Any, variables: Any) -> str:
    """What identifies a request apart from its caller: document, operation and canonical variables."""
    canonical = orjson.dumps([document_hash, operation_name or "", variables], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:40]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass(frozen=True, slots=True)
class CachedResponse:
    etag: str
    body: bytes
    expires_at: float
    headers: tuple[tuple[bytes, bytes], ...] = ()  # content-type, etag, content-length: built once

    @classmethod
    def of(cls, etag: str, body: bytes, expires_at: float) -> CachedResponse:
        head = ((b"content-type", b"application/json"), (b"etag", etag.encode()))
        return cls(etag, body, expires_at, (*head, (b"content-length", str(len(body)).encode())))

    def max_age(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


class ResponseCache:
    # Split stored bytes are remembered (see gateway/cache/decoded.py): splitting copies the whole body.
    DECODED_MAX_BYTES = 32 * 1024 * 1024

    def __init__(self, store: CacheStore, schema_version: str, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.schema_version = schema_version
        self._clock = clock
        self.stats: Counter[str] = Counter()
        self.decoded: DecodedEntries[CachedResponse] = DecodedEntries(max_bytes=self.DECODED_MAX_BYTES)

    def key(self, credential: str, document_hash: str, operation_name: Any, variables: Any) -> str:
        return self.scoped(credential, request_digest(document_hash, operation_name, variables))

    def scoped(self, credential: str, digest: str) -> str:
        """The key of one request (its ``request_digest``) for one credential."""
        return f"{_PREFIX}{self.schema_version}:{fingerprint(credential)}:{digest}"

    async def get(self, key: str) -> CachedResponse | None:
        try:
            raw = await self.store.get(key)
        except Exception:
            self.stats["errors"] += 1
            return None
        if raw is None:
            self.stats["misses"] += 1
            return None
        cached = self.decoded.get(key, raw, _split)
        if cached is None:
            cached = _split(raw)
            self.decoded.put(key, raw, _split, cached)
        if cached.expires_at <= self._clock():
            self.stats["misses"] += 1
            return None
        self.stats["hits"] += 1
        return cached

    async def put(self, key: str, body: bytes, ttl_s: float, tags: Iterable[str]) -> CachedResponse | None:
        if ttl_s < MIN_TTL_S:
            return None
        cached = CachedResponse.of(etag_of(body), body, self._clock() + ttl_s)
        raw = b"\n".join([cached.etag.encode(), repr(cached.expires_at).encode(), body])
        try:
            await self.store.set(key, raw, ttl_s, tags)
        except Exception:
            self.stats["errors"] += 1
            return None
        self.decoded.put(key, raw, _split, cached)
        self.stats["stores"] += 1
        return cached


def _split(raw: bytes) -> CachedResponse:
    etag, expires, body = raw.split(b"\n", 2)
    return CachedResponse.of(etag.decode(), body, float(expires))
