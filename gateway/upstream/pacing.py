"""Staying under OpenSolar's published quotas: a moving-window budget per credential and endpoint class.

``Pacer``: a moving-window budget per credential and OpenSolar endpoint class (and per org), set
to the documented limits times a safety factor. A call waits for budget, up to ``max_wait_s``;
past that it fails at once as THROTTLED with ``retryAfter`` and never reaches the upstream. Built
on ``limits`` so the windows live in memory or, with Redis configured, are shared by replicas. An
upstream 429 all the same (a plan below the table) pauses that org's endpoint class until its
``Retry-After``, for every caller and replica. Redis down: a local budget, logged and counted.

Its neighbours: ``concurrency.py`` (in-flight calls per upstream) and ``retry.py`` (retries with a budget).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from gateway.deadline import remaining_s
from gateway.errors import UpstreamRateLimited
from gateway.redis_url import redis_url
from gateway.upstream.quotas import OPENSOLAR_LIMITS, EndpointClass, Rate, classify_opensolar

__all__ = ["Pacer", "open_pacer_storage"]

# DRF sends Retry-After with its 429s; when one does not, pause a bucket this long.
DEFAULT_PAUSE_S = 5.0
logger = logging.getLogger("gateway.throttle")  # the log channel keeps its name: operators filter on it
_ORG = re.compile(r"^/api/orgs/(\d+)/")


def open_pacer_storage(url: str | None) -> Storage:
    """Redis (``redis://...``) shares the budget across replicas; otherwise this process alone."""
    redis = redis_url(url)
    if redis is not None:
        # redis-py (already a dependency) rather than coredis, and a client the pacer can close
        return cast(Storage, storage_from_string(f"async+{redis}", implementation="redispy"))
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
                # the full windows; none when another caller took the last slot since we looked: look again soon
                windows = [await limiter.get_window_stats(item, *ids) for item, ids in blocked or checks]
                resets = [window.reset_time for window in windows if window.remaining <= 0]
                wait = max(0.01, max(resets, default=0.0) - self._clock())
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
