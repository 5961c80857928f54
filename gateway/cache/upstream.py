"""Cached upstream reads: fresh hits, single-flight misses, stale-if-error, tags for eviction.

Only successful reads are stored (an error or a 429 never is). Each entry lives ``ttl + stale``
seconds; within ``ttl`` it is served as fresh. Past it, the upstream is asked; as soon as the first
attempt fails with THROTTLED, UPSTREAM_UNAVAILABLE or UPSTREAM_TIMEOUT (or the request's deadline
passes), the stale value is served instead, recorded in ``stale_reads`` so the response can say so,
while the refresh (its retries) goes on in the background under a deadline of its own. Concurrent
identical reads (same scope, same request) share one upstream call. A store failure (Redis down) is a miss, logged once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.cache.decoded import DecodedEntries
from gateway.cache.generations import Generations
from gateway.cache.scope import CacheScope
from gateway.cache.store import CacheStore
from gateway.cacheability import Cacheability
from gateway.deadline import renewed, within_deadline
from gateway.errors import UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable

__all__ = ["CachePolicy", "StaleRead", "UpstreamCache", "attempt_failed", "stale_reads"]

logger = logging.getLogger("gateway.cache")
STALE_ON = (UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable)
# Told of each failed attempt as it happens (by the retry policy, ``gateway/upstream/retry.py``): a
# refresh sets it, so the readers waiting on that flight get the stale copy at once.
attempt_failed: ContextVar[Callable[[BaseException], None] | None] = ContextVar("attempt_failed", default=None)


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


class _Flight:
    """One shared upstream read, and the first failed attempt of it (for stale-if-error)."""

    task: asyncio.Task[Any]

    def __init__(self, started: int) -> None:
        self.started = started  # the eviction generation it began at (gateway/cache/generations.py)
        self.first_failure: BaseException | None = None
        self._failed = asyncio.Event()

    def attempt_failed(self, exc: BaseException) -> None:
        if isinstance(exc, STALE_ON) and self.first_failure is None:
            self.first_failure = exc
            self._failed.set()

    async def result(self) -> Any:
        # shield: one caller giving up (its request was cancelled) must not cancel the others' call
        return await asyncio.shield(self.task)

    async def result_or_first_failure(self) -> Any:
        """The result, or the first failed attempt's error as soon as there is one."""
        failed = asyncio.ensure_future(self._failed.wait())
        try:
            await asyncio.wait({self.task, failed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            failed.cancel()
        if self.task.done() or self.first_failure is None:
            return self.task.result()
        raise self.first_failure


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
        self._inflight: dict[str, _Flight] = {}
        self._failing = False
        self.stats: Counter[str] = Counter()
        self.decoded: DecodedEntries[_Entry] = DecodedEntries(max_bytes=decoded_max_bytes)
        self.generations = Generations()  # shared with the response cache: what an eviction raced

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
            verdict = Cacheability.current()
            if verdict is not None:
                verdict.report_read(policy.ttl_s - age, entry.tags)
            return entry.payload
        self.stats["misses"] += 1
        self.stats[f"misses:{policy.kind}"] += 1
        stale_ok = entry is not None and age < policy.ttl_s + self.stale_s
        flight = self._shared(key, lambda started: self._fetch_and_store(key, policy, fetch, tags_of, started))
        try:
            # bounded by the request's deadline; with a stale value to fall back on, only until the
            # first attempt fails (the refresh goes on in the background and stores what it gets)
            async with within_deadline(scope.upstream):
                payload, tags = await (flight.result_or_first_failure() if stale_ok else flight.result())
        except STALE_ON as exc:
            if entry is None or not stale_ok:
                raise
            self.stats["stale"] += 1
            verdict = Cacheability.current()
            if verdict is not None:
                verdict.report_read(0.0, entry.tags, fresh=False)  # a response built from stale data is never stored
            reads = stale_reads.get()
            if reads is not None:
                reads.append(StaleRead(scope.upstream, resource, round(age, 1), exc.code))
            return entry.payload
        # recorded here, not in the shared task, so every caller of a coalesced read sees it
        verdict = Cacheability.current()
        if verdict is not None:
            verdict.report_read(policy.ttl_s, tags)
        return decode(payload) if decode is not None else payload

    async def _fetch_and_store(
        self,
        key: str,
        policy: CachePolicy,
        fetch: Callable[[], Awaitable[Any]],
        tags_of: Callable[[Any], Iterable[str]],
        started: int,
    ) -> tuple[Any, set[str]]:
        payload = await fetch()
        tags = set(tags_of(payload))
        if self.generations.raced(started, tags):  # read before an eviction of what it depends on
            self.stats["raced"] += 1
        else:
            await self._save(key, payload, policy, tags)
        return payload, tags

    def _shared(self, key: str, make: Callable[[int], Awaitable[Any]]) -> _Flight:
        """Single-flight: the first caller starts the call; concurrent callers await the same task,
        unless something was evicted since it began (it may be reading what the eviction replaced).

        The task runs with a deadline of its own (the request's budget, renewed), so a refresh that
        outlives the request that started it is still bounded, and each caller waits only as long
        as its own request allows.
        """
        flight = self._inflight.get(key)
        if flight is not None and not self.generations.since(flight.started):
            self.stats["coalesced"] += 1
            return flight
        flight = _Flight(self.generations.now)

        async def run() -> Any:
            renewed()
            attempt_failed.set(flight.attempt_failed)
            return await make(flight.started)

        flight.task = asyncio.get_running_loop().create_task(run(), context=contextvars.copy_context())
        self._inflight[key] = flight
        flight.task.add_done_callback(lambda done: self._finished(key, flight))
        return flight

    def _finished(self, key: str, flight: _Flight) -> None:
        if self._inflight.get(key) is flight:
            del self._inflight[key]
        if not flight.task.cancelled():
            flight.task.exception()  # retrieved here so an error nobody awaited is not reported as lost

    async def evict(self, tags: Iterable[str]) -> int:
        self.stats["evict_calls"] += 1
        names = list(tags)
        self.generations.bump(names)  # before the store answers: a fill finishing meanwhile is not stored
        try:
            evicted = await self.store.evict_tags(names)
        except Exception as exc:
            self._store_failed("evict", exc)  # a Redis store keeps the tags and evicts them when it is back
            self.stats["evict_deferred"] += 1
            return 0
        self.stats["evicted"] += evicted
        return evicted
