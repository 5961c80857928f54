"""The operation response cache: stored response bytes, served without parsing or executing anything.

Key: schema version, document hash, operation name, canonical variables and the fingerprint of the
credential used upstream, so different callers never share a response. A response is stored
only when every upstream read behind it was a fresh cacheable read, it has no errors and it is a
query; it lives as long as the shortest-lived of those reads and carries all their tags, so a
webhook about any of them evicts it (on every replica, with Redis). Each stored response has an
ETag; ``If-None-Match`` gets 304.

A response is compressed when it is stored (Brotli, zstd and gzip, ``gateway/compression.py``), and
the codings are stored with it, so a hit sends the client's preferred coding as stored bytes and
compresses nothing. Each representation's headers are built once per entry and process.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gateway.cache.decoded import DecodedEntries
from gateway.cache.generations import Generations
from gateway.cache.scope import fingerprint
from gateway.cache.store import CacheStore
from gateway.compression import Negotiated, encode_all
from gateway.response_cache.keys import request_digest

__all__ = ["MIN_TTL_S", "VARY_ANSWER", "VARY_STORED", "CachedResponse", "ResponseCache", "etag_of"]

_PREFIX = "sg:v2:resp:"  # v2: the stored codings follow the body
MIN_TTL_S = 1.0  # a response that would live less than this is not worth a write
# What a GraphQL answer depends on besides the request: the media type it was negotiated in (Accept)
# and the credential; a stored answer with codings also on Accept-Encoding (a fresh one gets that
# from the compression layer, when it compresses).
VARY_ANSWER = b"Accept, Authorization, X-API-Key"
VARY_STORED = b"Accept, Accept-Encoding, Authorization, X-API-Key"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


Headers = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    etag: str
    body: bytes
    expires_at: float
    headers: Headers = ()  # content-type, etag, content-length of the identity JSON: built once
    encoded: dict[str, bytes] = field(default_factory=dict)  # content coding -> the body in it
    _representations: dict[Negotiated, tuple[Headers, bytes]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, etag: str, body: bytes, expires_at: float, encoded: dict[str, bytes] | None = None) -> CachedResponse:
        head = ((b"content-type", b"application/json"), (b"etag", etag.encode()))
        return cls(etag, body, expires_at, (*head, (b"content-length", str(len(body)).encode())), encoded or {})

    def max_age(self, now: float) -> int:
        return max(0, int(self.expires_at - now))

    def representation(self, wanted: Negotiated) -> tuple[Headers, bytes]:
        """Headers and body for a client that wants ``wanted``: stored bytes, never compressed here."""
        known = self._representations.get(wanted)
        if known is not None:
            return known
        encoding = wanted.encoding if wanted.encoding in self.encoded else None
        body = self.encoded[encoding] if encoding else self.body
        headers = [(b"content-type", wanted.media.encode()), (b"etag", self.etag.encode())]
        # one Vary for all it depends on: the media type, the coding (when there are codings) and the credential
        headers.append((b"vary", VARY_STORED if self.encoded else VARY_ANSWER))
        if encoding:
            headers.append((b"content-encoding", encoding.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        self._representations[wanted] = (tuple(headers), body)
        return tuple(headers), body


class ResponseCache:
    # Split stored bytes are remembered (see gateway/cache/decoded.py): splitting copies the whole body.
    DECODED_MAX_BYTES = 32 * 1024 * 1024

    def __init__(
        self,
        store: CacheStore,
        schema_version: str,
        clock: Callable[[], float] = time.time,
        generations: Generations | None = None,
    ) -> None:
        self.store = store
        # the upstream cache's: an execution begun before an eviction of its tags is not stored after it
        self.generations = generations or Generations()
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

    async def put(
        self, key: str, body: bytes, ttl_s: float, tags: Iterable[str], started: int | None = None
    ) -> CachedResponse | None:
        """Store ``body``; not when it lives under ``MIN_TTL_S``, or when its execution began (eviction
        generation ``started``) before one of its tags was evicted: it may hold what that replaced."""
        tags = set(tags)
        if ttl_s < MIN_TTL_S:
            return None
        if started is not None and self.generations.raced(started, tags):
            self.stats["raced"] += 1
            return None
        cached = CachedResponse.of(etag_of(body), body, self._clock() + ttl_s, encode_all(body))
        codings = ",".join(f"{name}:{len(data)}" for name, data in cached.encoded.items()).encode()
        payload = b"".join([body, *cached.encoded.values()])
        raw = b"\n".join([cached.etag.encode(), repr(cached.expires_at).encode(), codings, payload])
        try:
            await self.store.set(key, raw, ttl_s, tags)
        except Exception:
            self.stats["errors"] += 1
            return None
        self.decoded.put(key, raw, _split, cached)
        self.stats["stores"] += 1
        return cached


def _split(raw: bytes) -> CachedResponse:
    etag, expires, codings, payload = raw.split(b"\n", 3)
    encoded: dict[str, bytes] = {}
    end = len(payload)
    for coding in reversed(codings.decode().split(",") if codings else []):
        name, _, size = coding.partition(":")
        encoded[name] = payload[end - int(size) : end]
        end -= int(size)
    return CachedResponse.of(etag.decode(), payload[:end], float(expires), dict(reversed(encoded.items())))
