"""Staying under the upstreams' limits: pacing, adaptive concurrency, and retries with a budget.

- ``Pacer``: a moving-window budget per credential and OpenSolar endpoint class (and per org), set
  to the documented limits times a safety factor. A call waits for budget, up to ``max_wait_s``;
  past that it fails at once as THROTTLED with ``retryAfter`` and never reaches the upstream. Built
  on ``limits`` so the windows live in memory or, with Redis configured, are shared by replicas. An
  upstream 429 all the same (a plan below the table) pauses that org's endpoint class until its
  ``Retry-After``, for every caller and replica. Redis down: a local budget, logged and counted.
- ``AdaptiveConcurrency``: in-flight calls per upstream, halved on a 429 (and paused for its
  ``Retry-After``), grown back one at a time after a run of successes. Arcadia starts at 4.
- ``RetryPolicy``: idempotent GETs only, on 5xx, timeouts and upstream 429s whose ``Retry-After``
  is short; jittered exponential backoff or the upstream's ``Retry-After``; at most ``attempts``
  tries, and a retry budget (retries stay under ``ratio`` of first attempts, never more than
  ``reserve`` banked) so a failing upstream is never hit with a retry storm, and no retry starts
  that the request's deadline cannot wait for. Writes are never retried.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_random_exponential

from gateway.cache.upstream import attempt_failed
from gateway.deadline import remaining_s
from gateway.errors import UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable
from gateway.upstream.quotas import OPENSOLAR_LIMITS, EndpointClass, Rate, classify_opensolar

__all__ = ["AdaptiveConcurrency", "Pacer", "RetryBudget", "RetryPolicy", "attempt_failed", "open_pacer_storage"]

T = TypeVar("T")
# DRF sends Retry-After with its 429s; when one does not, pause a bucket this long.
DEFAULT_PAUSE_S = 5.0
logger = logging.getLogger("gateway.throttle")
_ORG = re.compile(r"^/api/orgs/(\d+)/")


def open_pacer_storage(url: str | None) -> Storage:
    """Redis (``redis://...``) shares the budget across replicas; otherwise this process alone."""
    if url and url.startswith(("redis://", "rediss://")):
        # redis-py (already a dependency) rather than coredis, and a client the pacer can close
        return cast(Storage, storage_from_string(f"async+{url}", implementation="redispy"))
    return MemoryStorage()


class Pacer:
    """Waits for budget before each OpenSolar call; see the module docstring."""

    def __init__(
        self,
        storage: Storage,
        *,
        safety: float = 0.9,
        max_wait_s: float = 10.0,
        limits: dict[EndpointClass, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._local_storage = MemoryStorage()
        self._local = MovingWindowRateLimiter(self._local_storage)  # when the shared storage fails
        self._degraded = False
        self._storage = storage
        self._safety = safety
        self._max_wait_s = max_wait_s
        self._limits = limits or OPENSOLAR_LIMITS
        self._clock = clock
        self.stats: Counter[str] = Counter()

    def _item(self, rate: Rate) -> RateLimitItem:
        return RateLimitItemPerSecond(max(1, math.floor(rate.requests * self._safety)), max(1, int(rate.period_s)))

    def _bucket(self, credential: str, method: str, path: str) -> tuple[EndpointClass, str]:
        org = _ORG.match(path)
        return classify_opensolar(method, path), org.group(1) if org else f"cred-{credential}"

    def _checks(self, credential: str, method: str, path: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        endpoint_class, org_id = self._bucket(credential, method, path)
        limit = self._limits[endpoint_class]
        checks: list[tuple[RateLimitItem, tuple[str, ...]]] = []
        if limit.per_user:
            checks.append((self._item(limit.per_user), ("opensolar", "user", credential, endpoint_class.value)))
        if limit.per_org:
            checks.append((self._item(limit.per_org), ("opensolar", "org", org_id, endpoint_class.value)))
        return checks

    def _pause_key(self, credential: str, method: str, path: str) -> str:
        endpoint_class, org_id = self._bucket(credential, method, path)
        return f"opensolar/pause/{org_id}/{endpoint_class.value}"

    async def acquire(self, credential: str, method: str, path: str) -> float:
        """Wait until the call fits every budget; returns the seconds waited.

        If the shared (Redis) budget cannot be read, this replica paces against a budget of its own
        until it can (logged, and counted as ``storage_errors``): a cache server outage must never
        fail requests.
        """
        try:
            waited = await self._acquire(self._limiter, self._storage, credential, method, path)
        except UpstreamRateLimited:
            raise
        except Exception as exc:
            self._storage_failed(exc)
            return await self._acquire(self._local, self._local_storage, credential, method, path)
        if self._degraded:
            self._degraded = False
            logger.warning("the shared throttle budget is reachable again; pacing across replicas")
        return waited

    def _storage_failed(self, exc: BaseException) -> None:
        self.stats["storage_errors"] += 1
        if not self._degraded:
            self._degraded = True
            self.stats["degraded"] += 1
            logger.warning("the shared throttle budget is unreachable (%s); pacing locally", exc)

    async def throttled(self, credential: str, method: str, path: str, retry_after: float | None) -> None:
        """The upstream answered 429 although we paced: our table is above the plan's real limit.

        Every caller of that org's endpoint class (on every replica, through Redis) now waits
        until ``Retry-After`` instead of meeting the same 429.
        """
        pause_s = max(1, math.ceil(retry_after or DEFAULT_PAUSE_S))
        key = self._pause_key(credential, method, path)
        self.stats["pauses"] += 1
        await self._pause(self._local_storage, key, pause_s)
        try:
            await self._pause(self._storage, key, pause_s)
        except Exception as exc:
            self._storage_failed(exc)

    async def _pause(self, storage: Storage, key: str, pause_s: int) -> None:
        until = self._clock() + pause_s
        if await storage.get(key) and await storage.get_expiry(key) >= until - 1:
            return
        await storage.clear(key)
        await storage.incr(key, pause_s)

    async def _paused_for(self, storage: Storage, key: str) -> float:
        if not await storage.get(key):
            return 0.0
        return max(0.0, await storage.get_expiry(key) - self._clock())

    async def _acquire(
        self, limiter: MovingWindowRateLimiter, storage: Storage, credential: str, method: str, path: str
    ) -> float:
        checks = self._checks(credential, method, path)
        pause_key = self._pause_key(credential, method, path)
        started = self._clock()
        max_wait_s = min(self._max_wait_s, remaining_s())
        slept = False
        while True:
            wait = await self._paused_for(storage, pause_key)
            if wait <= 0:
                blocked = [c for c in checks if not await limiter.test(c[0], *c[1])]
                if not blocked and all([await limiter.hit(item, *ids) for item, ids in checks]):
                    waited = self._clock() - started
                    if slept:
                        self.stats["waits"] += 1
                        self.stats["wait_ms"] += int(waited * 1000)
                    return waited
                resets = [(await limiter.get_window_stats(item, *ids)).reset_time for item, ids in blocked or checks]
                wait = max(0.01, max(resets) - self._clock())
            if self._clock() + wait - started > max_wait_s:
                self.stats["rejected"] += 1
                raise UpstreamRateLimited(
                    "opensolar: the gateway is pacing calls to stay under OpenSolar's throttle limits; try again "
                    "later.",
                    upstream="opensolar",
                    retry_after=math.ceil(wait),
                    paced=True,
                )
            await asyncio.sleep(min(wait, max_wait_s))
            slept = True

    async def reset(self) -> None:
        await self._storage.reset()

    async def close(self) -> None:
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()


class AdaptiveConcurrency:
    """A semaphore for one upstream; when ``adaptive``, it halves on 429 and creeps back up.

    A 429 also pauses new calls for its ``Retry-After``; a caller that would wait longer than
    ``max_wait_s`` fails at once as THROTTLED instead of hanging.
    """

    def __init__(
        self,
        upstream: str,
        limit: int,
        *,
        adaptive: bool = False,
        max_wait_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.upstream = upstream
        self.max_limit = limit
        self.limit = limit
        self.adaptive = adaptive
        self.max_wait_s = max_wait_s
        self._in_flight = 0
        self._successes = 0
        self._paused_until = 0.0
        self._clock = clock
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> None:
        async with self._changed:
            while True:
                pause = self._paused_until - self._clock()
                if pause > min(self.max_wait_s, remaining_s()):  # THROTTLED now, not a timeout later
                    raise UpstreamRateLimited(
                        f"{self.upstream}: backing off after the upstream throttled us.",
                        upstream=self.upstream,
                        retry_after=math.ceil(pause),
                        paced=True,
                    )
                if pause <= 0 and self._in_flight < self.limit:
                    self._in_flight += 1
                    return
                try:
                    async with asyncio.timeout(pause if pause > 0 else None):
                        await self._changed.wait()
                except TimeoutError:
                    pass

    async def __aexit__(self, *exc: object) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def throttled(self, retry_after: float | None) -> None:
        if not self.adaptive:
            return
        self.limit = max(1, self.limit // 2)
        self._successes = 0
        self._paused_until = max(self._paused_until, self._clock() + (retry_after or 1.0))

    def succeeded(self) -> None:
        if not self.adaptive:
            return
        self._successes += 1
        if self.limit < self.max_limit and self._successes >= 4 * self.limit:
            self.limit += 1
            self._successes = 0


class RetryBudget:
    """Finagle-style: each first attempt earns ``ratio`` of a retry, and a retry spends one.

    At most ``reserve`` retries are ever banked (the bucket starts full), so a long healthy spell
    cannot save up a retry storm: under any fault, retries stay within ``ratio`` of first attempts
    plus ``reserve``; with the defaults (10% and 2), within 20% of any storm of 20 first attempts
    or more (issue 10: 20% at most, where a bank of 100 allowed 3.9 calls per request for 2.1).
    """

    def __init__(self, ratio: float = 0.1, reserve: float = 2.0) -> None:
        self.ratio, self.cap = ratio, reserve
        self.tokens = reserve

    def deposit(self) -> None:
        self.tokens = min(self.cap, self.tokens + self.ratio)

    def spend(self) -> bool:
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class RetryPolicy:
    attempts: int = 3
    max_retry_after_s: float = 5.0
    budget: RetryBudget | None = None

    def __post_init__(self) -> None:
        self.budget = self.budget or RetryBudget()
        self.stats: Counter[str] = Counter()

    def _retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, UpstreamRateLimited):
            short = exc.retry_after is None or exc.retry_after <= self.max_retry_after_s
            return not exc.details.get("paced") and short
        return isinstance(exc, UpstreamUnavailable | UpstreamTimeout)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, UpstreamRateLimited) and exc.retry_after is not None:
            return exc.retry_after
        return float(wait_random_exponential(multiplier=0.1, max=2.0)(state))

    def _stop(self, state: RetryCallState) -> bool:
        if stop_after_attempt(self.attempts)(state):
            return True
        exc = state.outcome.exception() if state.outcome else None
        pause = exc.retry_after if isinstance(exc, UpstreamRateLimited) and exc.retry_after else 0.0
        if remaining_s() <= pause:
            self.stats["deadline"] += 1  # no time left in the request for another try
            return True
        assert self.budget is not None
        if not self.budget.spend():
            self.stats["budget_exhausted"] += 1
            return True
        self.stats["retries"] += 1
        return False

    async def run(self, call: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        assert self.budget is not None
        self.budget.deposit()
        if not idempotent:
            return await call()  # a write is never retried: it may have taken effect
        retrying = AsyncRetrying(
            retry=retry_if_exception(self._retryable), wait=self._wait, stop=self._stop, reraise=True
        )

        async def attempt() -> T:  # a coroutine function: tenacity runs a plain callable as a sync one
            try:
                return await call()
            except Exception as exc:
                hook = attempt_failed.get()
                if hook is not None:
                    hook(exc)
                raise

        return await retrying(attempt)
