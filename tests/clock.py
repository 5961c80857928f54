"""A clock the test moves by hand, and the seam that gives it to a running gateway's caches."""

from __future__ import annotations

from gateway.cache.store import MemoryStore
from gateway.runtime import Runtime


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_clock(runtime: Runtime, clock: FakeClock) -> None:
    """Every cache clock of one gateway: entry ages (stale-if-error), store TTLs and response expiry."""
    if runtime.caches.upstream is not None:
        runtime.caches.upstream._clock = clock
        if isinstance(runtime.caches.upstream.store, MemoryStore):
            runtime.caches.upstream.store.cache._clock = clock
    if runtime.caches.responses is not None:
        runtime.caches.responses._clock = clock
