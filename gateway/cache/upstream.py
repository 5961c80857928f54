"""Cached upstream reads: fresh hits, single-flight misses, stale-if-error, tags for eviction.

Only successful reads are stored (an error or a 429 never is). Each entry lives ``ttl + stale``
seconds; within ``ttl`` it is served as fresh. Past it, the upstream is asked; if that fails with
THROTTLED, UPSTREAM_UNAVAILABLE or UPSTREAM_TIMEOUT, the stale value is served instead and recorded
in ``stale_reads`` so the response can say so. Concurrent identical reads (same scope, same
request) share one upstream call. A store failure (Redis down) is a miss, logged once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.cache.decoded import DecodedEntries
from gateway.cache.scope import CacheScope
from gateway.cache.store import CacheStore
from gateway.cache.trace import read_trace
from gateway.errors import UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable

__all__ = ["CachePolicy", "StaleRead", "UpstreamCache", "stale_reads"]

logger = logging.getLogger("gateway.cache")
STALE_ON = (UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable)


@dataclass(frozen=True, slots=True)
class CachePolicy:
    kind: str
    ttl_s: float


@dataclass(frozen=True, slots=True)
class StaleRead:
    upstream: str
    resource: str
    age_s: float
    reason: str


# Set per GraphQL request (a list to append to); reads outside a request record nothing.
stale_reads: ContextVar[list[StaleRead] | None] = ContextVar("stale_reads", default=None)


@dataclass(frozen=True, slots=True)
class _Entry:
    payload: Any  # decoded, when the read came with a decoder
    stored_at: float
    tags: tuple[str, ...] = ()


class UpstreamCache:
    def __init__(
        self,
        store: CacheStore,
        *,
        stale_s: float,
        clock: Callable[[], float] = time.time,
        decoded_max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.store = store
        self.stale_s = stale_s
        self._clock = clock
        self._inflight: dict[str, asyncio.Task[Any]] = {}
        self._failing = False
        self.stats: Counter[str] = Counter()
        self.decoded: DecodedEntries[_Entry] = DecodedEntries(max_bytes=decoded_max_bytes)

    def _store_failed(self, action: str, exc: BaseException) -> None:
        self.stats["store_errors"] += 1
        if not self._failing:
            self._failing = True
            logger.warning(
                "cache store %s failed (%s: %s); serving without cache until it recovers",
                action,
                type(exc).__name__,
                exc,
            )

    def _store_ok(self) -> None:
        if self._failing:
            self._failing = False
            logger.warning("cache store recovered")

    async def _load(self, key: str, decode: Callable[[Any], Any] | None) -> _Entry | None:
        try:
            raw = await self.store.get(key)
        except Exception as exc:
            self._store_failed("read", exc)
            return None
        self._store_ok()
        if raw is None:
            return None
        if decode is not None and (known := self.decoded.get(key, raw, decode)) is not None:
            return known
        try:
            data = orjson.loads(raw)
            entry = _Entry(data["v"], float(data["at"]), tuple(data.get("t") or ()))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
        if decode is None:
            return entry
        entry = _Entry(decode(entry.payload), entry.stored_at, entry.tags)
        self.decoded.put(key, raw, decode, entry)
        return entry

    async def _save(self, key: str, payload: Any, policy: CachePolicy, tags: Iterable[str]) -> None:
        try:
            raw = orjson.dumps({"at": self._clock(), "v": payload, "t": sorted(tags)})
            await self.store.set(key, raw, policy.ttl_s + self.stale_s, tags)
            self.stats["stores"] += 1
        except Exception as exc:
            self._store_failed("write", exc)

    async def read(
        self,
        scope: CacheScope,
        resource: str,
        policy: CachePolicy,
        fetch: Callable[[], Awaitable[Any]],
        tags_of: Callable[[Any], Iterable[str]],
        decode: Callable[[Any], Any] | None = None,
    ) -> Any:
        """The (decoded) value of one read: fresh from the store, else fetched (shared), else stale.

        ``decode`` turns the upstream's JSON into the caller's typed value; pass the same function
        object for the same kind of read (e.g. one per model), so a decoded value can be reused.
        """
        key = scope.key(resource)
        entry = await self._load(key, decode)
        age = self._clock() - entry.stored_at if entry else 0.0
        if entry is not None and age < policy.ttl_s:
            self.stats["hits"] += 1
            self.stats[f"hits:{policy.kind}"] += 1
            trace = read_trace.get()
            if trace is not None:
                trace.read(policy.ttl_s - age, entry.tags)
            return entry.payload
        self.stats["misses"] += 1
        self.stats[f"misses:{policy.kind}"] += 1
        try:
            payload, tags = await self._shared(key, lambda: self._fetch_and_store(key, policy, fetch, tags_of))
        except STALE_ON as exc:
            if entry is None or age >= policy.ttl_s + self.stale_s:
                raise
            self.stats["stale"] += 1
            trace = read_trace.get()
            if trace is not None:
                trace.spoil()  # a response built from stale data is never stored
            reads = stale_reads.get()
            if reads is not None:
                reads.append(StaleRead(scope.upstream, resource, round(age, 1), exc.code))
            return entry.payload
        # recorded here, not in the shared task, so every caller of a coalesced read sees it
        trace = read_trace.get()
        if trace is not None:
            trace.read(policy.ttl_s, tags)
        return decode(payload) if decode is not None else payload

    async def _fetch_and_store(
        self,
        key: str,
        policy: CachePolicy,
        fetch: Callable[[], Awaitable[Any]],
        tags_of: Callable[[Any], Iterable[str]],
    ) -> tuple[Any, set[str]]:
        payload = await fetch()
        tags = set(tags_of(payload))
        await self._save(key, payload, policy, tags)
        return payload, tags

    async def _shared(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """Single-flight: the first caller starts the call; concurrent callers await the same task."""
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        else:
            self.stats["coalesced"] += 1
        # shield: one caller giving up (its request was cancelled) must not cancel the others' call
        return await asyncio.shield(task)

    def _finished(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here so an error nobody awaited is not reported as lost

    async def evict(self, tags: Iterable[str]) -> int:
        self.stats["evict_calls"] += 1
        try:
            evicted = await self.store.evict_tags(list(tags))
        except Exception as exc:
            self._store_failed("evict", exc)
            return 0
        self.stats["evicted"] += evicted
        return evicted
