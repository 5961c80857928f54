"""Quotas on what callers may do: requests per principal, persisted-query registrations.

Built on ``limits`` (already used by the pacer) with fixed windows: one counter increment per
request, in this process or, with Redis configured, shared by every replica. When Redis fails the
quota falls back to this process's own counters, with a log line and a metric, and never fails the
request.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Callable

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

__all__ = ["Quota", "parse_rates"]

logger = logging.getLogger("gateway.quota")
LOG_EVERY_S = 10.0  # an outage is logged once per this many seconds, not once per request


def parse_rates(text: str) -> list[RateLimitItem]:
    """``"50/second;1000/minute"`` (the ``limits`` notation); ``""`` or ``"off"``: no limit."""
    text = text.strip()
    return [] if text.lower() in {"", "off", "none"} else parse_many(text)


class Quota:
    """At most ``rates`` spends per identity; ``spend`` says how long to wait when none is left."""

    def __init__(
        self, storage: Storage, rates: list[RateLimitItem], *, name: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.rates = rates
        self.name = name
        self._shared = FixedWindowRateLimiter(storage)
        self._local = FixedWindowRateLimiter(MemoryStorage()) if not isinstance(storage, MemoryStorage) else None
        self._clock = clock
        self._logged_at = -math.inf
        self.stats: Counter[str] = Counter()

    async def spend(self, identity: str) -> int | None:
        """None: allowed (and counted); else the seconds until the exhausted window resets."""
        for rate in self.rates:
            limiter = self._shared
            try:
                allowed = await limiter.hit(rate, self.name, identity)
            except Exception as exc:
                if self._local is None:
                    raise
                self._outage(exc)
                limiter = self._local
                allowed = await limiter.hit(rate, self.name, identity)
            if not allowed:
                self.stats["refused"] += 1
                try:
                    reset = (await limiter.get_window_stats(rate, self.name, identity)).reset_time
                except Exception:
                    reset = self._clock() + rate.get_expiry()
                return max(1, math.ceil(reset - self._clock()))
        return None

    def _outage(self, exc: Exception) -> None:
        self.stats["store_errors"] += 1
        now = self._clock()
        if now - self._logged_at >= LOG_EVERY_S:
            self._logged_at = now
            logger.warning("%s quota: shared store failed (%s); counting in this process", self.name, exc)
