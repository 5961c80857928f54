"""Quotas on what callers may do: requests per principal, persisted-query registrations.

Fixed windows: with Redis configured they are ``limits``' (already used by the pacer), shared by
every replica; in one process they are counted here, in a dict, because ``limits``' memory storage
costs ~5 µs per window per request (a lock, a timer, key formatting), a fifth of a response-cache
hit. When Redis fails the quota falls back to this process's own windows, with a log line and a
metric, and never fails the request.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Callable

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from gateway.settings import parse_rates  # the setting is checked where it is read: one parser

__all__ = ["LocalWindows", "Quota", "parse_rates"]

logger = logging.getLogger("gateway.quota")
LOG_EVERY_S = 10.0  # an outage is logged once per this many seconds, not once per request
MAX_LOCAL_WINDOWS = 100_000  # ~100 bytes each: expired ones are swept when this many are open


class LocalWindows:
    """Fixed windows counted in this process; ``spend`` says how long to wait when one is used up."""

    def __init__(
        self,
        rates: list[RateLimitItem],
        *,
        clock: Callable[[], float] = time.monotonic,
        max_windows: int = MAX_LOCAL_WINDOWS,
    ) -> None:
        self.rates = [(rate.amount, float(rate.get_expiry())) for rate in rates]
        self.max_windows = max_windows
        self._clock = clock
        self._windows: dict[tuple[str, int], list[float]] = {}  # (identity, rate) -> [ends at, count]

    def spend(self, identity: str) -> int | None:
        now = self._clock()
        for index, (amount, period_s) in enumerate(self.rates):
            window = self._windows.get((identity, index))
            if window is None or now >= window[0]:
                if len(self._windows) >= self.max_windows:
                    self._sweep(now)
                window = self._windows[identity, index] = [now + period_s, 0.0]
            window[1] += 1
            if window[1] > amount:
                return max(1, math.ceil(window[0] - now))
        return None

    def _sweep(self, now: float) -> None:
        for key in [key for key, window in self._windows.items() if now >= window[0]]:
            del self._windows[key]
        while len(self._windows) >= self.max_windows:  # all still open: the oldest-opened go first
            del self._windows[next(iter(self._windows))]

    def __len__(self) -> int:
        return len(self._windows)


class Quota:
    """At most ``rates`` spends per identity, shared through ``storage`` unless it is in memory."""

    def __init__(
        self, storage: Storage, rates: list[RateLimitItem], *, name: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.rates = rates
        self.name = name
        self.local = LocalWindows(rates)
        self._shared = None if isinstance(storage, MemoryStorage) else FixedWindowRateLimiter(storage)
        self._clock = clock
        self._logged_at = -math.inf
        self.stats: Counter[str] = Counter()

    async def spend(self, identity: str) -> int | None:
        """None: allowed (and counted); else the seconds until the exhausted window resets."""
        if self._shared is None:
            wait = self.local.spend(identity)
        else:
            wait = await self._spend_shared(self._shared, identity)
        if wait is not None:
            self.stats["refused"] += 1
        return wait

    async def _spend_shared(self, limiter: FixedWindowRateLimiter, identity: str) -> int | None:
        try:
            for rate in self.rates:
                if not await limiter.hit(rate, self.name, identity):
                    reset = (await limiter.get_window_stats(rate, self.name, identity)).reset_time
                    return max(1, math.ceil(reset - self._clock()))
        except Exception as exc:
            self._outage(exc)
            return self.local.spend(identity)
        return None

    def _outage(self, exc: Exception) -> None:
        self.stats["store_errors"] += 1
        now = self._clock()
        if now - self._logged_at >= LOG_EVERY_S:
            self._logged_at = now
            logger.warning("%s quota: shared store failed (%s); counting in this process", self.name, exc)
