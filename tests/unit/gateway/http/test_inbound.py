"""Quotas: fixed windows counted exactly, bounded in memory, and never failing a request."""

from __future__ import annotations

from typing import Any

from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter

from gateway.http.inbound import LocalWindows, Quota, parse_rates


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_allows_exactly_its_amount_then_says_when_it_ends() -> None:
    clock = Clock()
    windows = LocalWindows(parse_rates("3/minute;5/hour"), clock=clock)
    assert [windows.spend("a") for _ in range(3)] == [None, None, None]
    assert windows.spend("a") == 60 and windows.spend("b") is None  # one principal's window is its own
    clock.now += 59.5
    assert windows.spend("a") == 1
    clock.now += 0.5
    assert [windows.spend("a") for _ in range(2)] == [None, None]  # a new minute; refusals count nowhere
    assert windows.spend("a") == 3600 - 60  # the hour's fifth was the last


def test_local_windows_are_bounded() -> None:
    clock = Clock()
    windows = LocalWindows(parse_rates("1/second"), clock=clock, max_windows=100)
    for n in range(1000):
        windows.spend(f"principal-{n}")
    assert len(windows) <= 100
    clock.now += 2
    windows.spend("late")
    assert len(windows) <= 100


def test_off_means_no_limit() -> None:
    assert parse_rates("off") == [] and parse_rates("") == []


class BrokenStorage(MemoryStorage):
    async def incr(self, *args: Any, **kwargs: Any) -> int:
        raise ConnectionError("redis is down")


async def test_a_failing_shared_store_falls_back_to_this_process() -> None:
    broken = Quota(MemoryStorage(), parse_rates("2/minute"), name="t")
    broken._shared = FixedWindowRateLimiter(BrokenStorage())  # as with Redis configured, and Redis down
    answers = [await broken.spend("a") for _ in range(3)]
    assert answers[:2] == [None, None] and answers[2] is not None
    assert broken.stats["store_errors"] == 3 and broken.stats["refused"] == 1
