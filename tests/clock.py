"""A clock the test moves by hand, and the seam that gives it to a running gateway's caches."""

from __future__ import annotations

from gateway.cache.store import MemoryStore
from gateway.services import Services


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_clock(services: Services, clock: FakeClock) -> None:
    """Every cache clock of one gateway: entry ages (stale-if-error), store TTLs and response expiry."""
    if services.cache is not None:
        services.cache._clock = clock
        if isinstance(services.cache.store, MemoryStore):
            services.cache.store.cache._clock = clock
    if services.response_cache is not None:
        services.response_cache._clock = clock
