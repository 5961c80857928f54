"""Where cached bytes live: the bounded memory backend, or Redis shared by every replica.

Both stores are aiocache caches (``BoundedMemoryCache`` or ``aiocache.RedisCache``) plus a tag index
(tag -> keys) so a webhook can evict every entry built from one resource. Every operation has a
short timeout; callers treat any store failure as a miss (see ``UpstreamCache``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import urlparse

from aiocache import RedisCache

from gateway.cache.memory import BoundedMemoryCache, BytesSerializer
from gateway.redis_url import redis_url

__all__ = ["CacheStore", "MemoryStore", "RedisStore", "open_store"]

# A store must answer well inside the upstream timeouts, or it is slower than no cache at all.
STORE_TIMEOUT_S = 0.5
TAG_PREFIX = "sg:v1:tag:"
MAX_PENDING_EVICTIONS = 100_000  # tags remembered while Redis is down (oldest forgotten first)
logger = logging.getLogger("gateway.cache")


class CacheStore(Protocol):
    name: str

    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl_s: float, tags: Iterable[str]) -> None: ...
    async def evict_tags(self, tags: Iterable[str]) -> int: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class MemoryStore:
    """One process's cache: bounded by bytes and entries, tags indexed in memory."""

    name = "memory"
    SWEEP_EVERY = 1000

    def __init__(self, max_bytes: int, max_entries: int = 100_000) -> None:
        self.cache = BoundedMemoryCache(max_bytes=max_bytes, max_entries=max_entries, timeout=STORE_TIMEOUT_S)
        self._tags: dict[str, set[str]] = defaultdict(set)
        self._sets = 0

    async def get(self, key: str) -> bytes | None:
        # Straight to our backend's dictionary: aiocache's per-call timeout wrapper costs a task per read,
        # and a dictionary lookup cannot hang (nor needs a coroutine of its own).
        return self.cache.lookup(key)

    async def set(self, key: str, value: bytes, ttl_s: float, tags: Iterable[str]) -> None:
        await self.cache._set(key, value, ttl=ttl_s)
        for tag in tags:
            self._tags[tag].add(key)
        self._sets += 1
        if self._sets % self.SWEEP_EVERY == 0:
            self._sweep()

    def _sweep(self) -> None:
        """Drop index entries for keys the LRU already evicted, so the index stays bounded too."""
        live = self.cache._data
        for tag in list(self._tags):
            keys = {k for k in self._tags[tag] if k in live}
            if keys:
                self._tags[tag] = keys
            else:
                del self._tags[tag]

    async def evict_tags(self, tags: Iterable[str]) -> int:
        keys = set().union(*(self._tags.pop(tag, set()) for tag in tags))
        for key in keys:
            await self.cache.delete(key)
        return len(keys)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        await self.cache.close()


class RedisStore:
    """Redis through aiocache; tags are Redis sets that expire with the longest entry they index."""

    name = "redis"

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        db = (parsed.path or "/0").lstrip("/") or "0"
        self.cache = RedisCache(
            serializer=BytesSerializer(),
            endpoint=parsed.hostname or "127.0.0.1",
            port=parsed.port or 6379,
            db=int(db),
            password=parsed.password,
            timeout=STORE_TIMEOUT_S,
            create_connection_timeout=STORE_TIMEOUT_S,
            namespace="",
        )
        self.client: Any = self.cache.client
        self._pending_evictions: OrderedDict[str, None] = OrderedDict()
        self.stats: Counter[str] = Counter()

    async def get(self, key: str) -> bytes | None:
        if self._pending_evictions:  # back after an outage: evict what went stale meanwhile, first
            await self.flush_evictions()
        value: bytes | None = await self.cache.get(key)  # BytesSerializer: no decoding
        return value

    @property
    def pending_evictions(self) -> int:
        """Tags whose eviction failed (Redis down), evicted before anything is read again."""
        return len(self._pending_evictions)

    async def flush_evictions(self) -> int:
        """Evict the tags that waited for Redis; raises while Redis is still down."""
        tags = list(self._pending_evictions)
        if not tags:
            return 0
        evicted = await self._evict(tags)
        for tag in tags:
            self._pending_evictions.pop(tag, None)
        self.stats["evictions_replayed"] += len(tags)
        logger.warning("cache store: %d evictions deferred by a Redis outage applied (%d entries)", len(tags), evicted)
        return evicted

    async def set(self, key: str, value: bytes, ttl_s: float, tags: Iterable[str]) -> None:
        async with asyncio.timeout(STORE_TIMEOUT_S):
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.set(key, value, px=max(1, int(ttl_s * 1000)))
                for tag in tags:
                    pipe.sadd(TAG_PREFIX + tag, key)
                    pipe.expire(TAG_PREFIX + tag, int(ttl_s) + 1, gt=True)
                    pipe.expire(TAG_PREFIX + tag, int(ttl_s) + 1, nx=True)
                await pipe.execute()

    async def evict_tags(self, tags: Iterable[str]) -> int:
        """Evict now; if Redis fails, the tags are kept (bounded) and evicted before the next read."""
        tags = list(tags)
        if self._pending_evictions:
            await self.flush_evictions_or_defer(tags)
        try:
            return await self._evict(tags)
        except Exception:
            self._defer(tags)
            raise

    async def flush_evictions_or_defer(self, tags: list[str]) -> None:
        try:
            await self.flush_evictions()
        except Exception:
            self._defer(tags)
            raise

    def _defer(self, tags: list[str]) -> None:
        for tag in tags:
            self._pending_evictions[tag] = None
            self._pending_evictions.move_to_end(tag)
        self.stats["evictions_deferred"] += len(tags)
        while len(self._pending_evictions) > MAX_PENDING_EVICTIONS:
            self._pending_evictions.popitem(last=False)
            self.stats["evictions_dropped"] += 1

    async def _evict(self, tags: list[str]) -> int:
        async with asyncio.timeout(STORE_TIMEOUT_S * 4):
            names = [TAG_PREFIX + tag for tag in tags]
            async with self.client.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.smembers(name)
                members = await pipe.execute()
            doomed = [*set().union(*members), *names]
            for start in range(0, len(doomed), 1000):
                await self.client.delete(*doomed[start : start + 1000])
            return len(doomed) - len(names)

    async def ping(self) -> bool:
        async with asyncio.timeout(STORE_TIMEOUT_S):
            return bool(await self.client.ping())

    async def close(self) -> None:
        # aiocache 0.12 closes with redis-py's deprecated close(); aclose() is the current call.
        await self.client.aclose()


def open_store(url: str | None, max_bytes: int, max_entries: int) -> CacheStore:
    """``redis://host:port/db`` for Redis; anything else (default ``memory://``) for the memory store."""
    redis = redis_url(url)
    if redis is not None:
        return RedisStore(redis)
    return MemoryStore(max_bytes, max_entries)
