"""In-flight calls per upstream: ``AdaptiveConcurrency``.

When adaptive, the limit halves on a 429 (and new calls pause for its ``Retry-After``) and grows
back one at a time after a run of successes. Arcadia starts at 4.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from gateway.deadline import remaining_s
from gateway.errors import UpstreamRateLimited

__all__ = ["AdaptiveConcurrency"]


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
        self._waiting = 0  # callers queued on the condition
        self._successes = 0
        self._paused_until = 0.0
        self._clock = clock
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> None:
        pause = self._paused_until - self._clock()
        if (
            pause <= 0
            and not self._waiting
            and self._in_flight < self.limit
            and pause <= min(self.max_wait_s, remaining_s())
        ):
            self._in_flight += 1  # a free slot and nobody queued for one: no lock to take (one event loop)
            return
        async with self._changed:
            self._waiting += 1
            try:
                await self._queue()
            finally:
                self._waiting -= 1

    async def _queue(self) -> None:
        """Wait, holding the condition's lock between looks, until a slot is free and no pause holds."""
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
        self._in_flight -= 1
        if self._waiting:  # only a queued caller needs telling that a slot is free
            async with self._changed:
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
