"""Pacing, pauses and adaptive concurrency at their edges, on a frozen clock.

The pacer's budget lives in ``limits``' MemoryStorage, which reads ``time.time()``; the ``frozen``
fixture gives that storage and the pacer one hand-moved clock, so pauses are checked at exactly their
end and just before it, never against the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
import random
from types import SimpleNamespace
from typing import Any

import limits.aio.storage.memory
import pytest
from limits.aio.storage import MemoryStorage

from gateway.errors import UpstreamRateLimited, UpstreamUnavailable
from gateway.upstream import retry
from gateway.upstream.concurrency import AdaptiveConcurrency
from gateway.upstream.pacing import Pacer
from gateway.upstream.quotas import EndpointClass, Rate, ThrottleLimit
from gateway.upstream.retry import RetryBudget, RetryPolicy
from tests.clock import FakeClock

PROJECT = "/api/orgs/1/projects/2/"
ROOMY = {cls: ThrottleLimit(Rate(1000, 1), Rate(1000, 1)) for cls in EndpointClass}


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(limits.aio.storage.memory, "time", SimpleNamespace(time=clock))
    return clock


def pacer(clock: FakeClock, storage: Any = None) -> Pacer:
    return Pacer(storage or MemoryStorage(), max_wait_s=0, limits=ROOMY, clock=clock)


async def paused_for(pacer: Pacer, credential: str = "cred", path: str = PROJECT) -> int | None:
    """The ``retryAfter`` a call would be refused with now, or None when it may go."""
    try:
        await pacer.acquire(credential, "GET", path)
    except UpstreamRateLimited as exc:
        assert exc.extensions["paced"] is True
        return exc.retry_after  # type: ignore[return-value]
    return None


@pytest.mark.parametrize(("retry_after", "pause_s"), [(0.5, 1), (1, 1), (2.2, 3), (None, 5), (0, 5)])
async def test_a_429_pauses_its_bucket_for_its_retry_after_in_whole_seconds(
    frozen: FakeClock, retry_after: float | None, pause_s: int
) -> None:
    paced = pacer(frozen)
    await paced.throttled("cred", "GET", PROJECT, retry_after)
    assert await paused_for(paced) == pause_s
    frozen.advance(pause_s - 0.001)
    assert await paused_for(paced) == 1
    frozen.advance(0.001)
    assert await paused_for(paced) is None
    assert paced.stats["pauses"] == 1


async def test_a_pause_is_only_ever_lengthened_and_a_second_either_way_is_left_alone(frozen: FakeClock) -> None:
    paced = pacer(frozen)
    await paced.throttled("cred", "GET", PROJECT, 30)
    await paced.throttled("cred", "GET", PROJECT, 5)  # a shorter 429 never shortens the pause
    assert await paused_for(paced) == 30
    await paced.throttled("cred", "GET", PROJECT, 31)  # within a second: the shared key is not rewritten
    assert await paused_for(paced) == 30
    await paced.throttled("cred", "GET", PROJECT, 32)
    assert await paused_for(paced) == 32
    assert paced.stats["pauses"] == 4


async def test_a_pause_outside_an_org_holds_one_credential_only(frozen: FakeClock) -> None:
    paced = pacer(frozen)
    await paced.throttled("cred-a", "GET", "/api/user_logins/", 30)
    assert await paused_for(paced, "cred-a", "/api/user_logins/") == 30
    assert await paused_for(paced, "cred-b", "/api/user_logins/") is None
    await paced.throttled("cred-a", "GET", PROJECT, 30)  # inside an org: everyone calling that org waits
    assert await paused_for(paced, "cred-b", PROJECT) == 30


class SwitchableStorage(MemoryStorage):
    """A shared budget whose server the test takes down and brings back."""

    down = False

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("redis is down")

    async def get(self, key: str) -> int:
        self._check()
        return await super().get(key)

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self._check()
        return await super().incr(key, expiry, amount)

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        self._check()
        return await super().get_moving_window(key, limit, expiry)

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        self._check()
        return await super().acquire_entry(key, limit, expiry, amount)


async def test_each_outage_of_the_shared_budget_is_counted_and_logged_once_with_its_cause(
    frozen: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    shared = SwitchableStorage()
    paced = pacer(frozen, shared)
    caplog.set_level(logging.WARNING, logger="gateway.throttle")
    for _ in range(2):
        shared.down = True
        for _ in range(3):
            assert await paused_for(paced) is None  # paced locally, never failed
        shared.down = False
        assert await paused_for(paced) is None
    assert paced.stats["storage_errors"] == 6 and paced.stats["degraded"] == 2
    messages = [record.getMessage() for record in caplog.records]
    down = [m for m in messages if "unreachable" in m]
    assert len(down) == 2 and all("redis is down" in m and "pacing locally" in m for m in down)
    assert len([m for m in messages if "reachable again" in m]) == 2


async def test_a_429_while_the_shared_budget_is_down_pauses_locally_and_says_why(
    frozen: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    shared = SwitchableStorage()
    shared.down = True
    paced = pacer(frozen, shared)
    caplog.set_level(logging.WARNING, logger="gateway.throttle")
    await paced.throttled("cred", "GET", PROJECT, 10)
    assert paced.stats["storage_errors"] == 1 and paced.stats["degraded"] == 1
    assert any("redis is down" in record.getMessage() for record in caplog.records)
    assert await paused_for(paced) == 10


@pytest.mark.parametrize(("limit", "halved"), [(8, 4), (5, 2), (3, 1), (2, 1), (1, 1)])
def test_a_429_halves_adaptive_concurrency_to_a_whole_number_never_below_one(limit: int, halved: int) -> None:
    slots = AdaptiveConcurrency("arcadia", limit, adaptive=True, clock=FakeClock())
    slots.throttled(retry_after=1)
    assert slots.limit == halved and isinstance(slots.limit, int)
    slots.succeeded()  # the success count starts again from zero after a 429
    assert slots.limit == halved


def test_adaptive_concurrency_grows_back_one_slot_per_four_times_its_limit_in_successes() -> None:
    slots = AdaptiveConcurrency("arcadia", 8, adaptive=True, clock=FakeClock())
    slots.throttled(retry_after=1)
    assert slots.limit == 4
    for expected in (5, 6, 7, 8):
        needed = 4 * (expected - 1)
        for _ in range(needed - 1):
            slots.succeeded()
        assert slots.limit == expected - 1, f"grew before {needed} successes"
        slots.succeeded()
        assert slots.limit == expected, f"did not grow after {needed} successes"
    for _ in range(1000):
        slots.succeeded()
    assert slots.limit == 8  # never past its configured limit
    slots.throttled(retry_after=1)
    for _ in range(15):
        slots.succeeded()
    assert slots.limit == 4  # a 429 mid-run starts the count again


def test_fixed_concurrency_ignores_429s_and_successes() -> None:
    slots = AdaptiveConcurrency("opensolar", 4, adaptive=False, clock=FakeClock())
    slots.throttled(retry_after=30)
    for _ in range(100):
        slots.succeeded()
    assert slots.limit == 4 and slots.max_limit == 4


async def test_a_slot_is_given_back_when_its_call_ends() -> None:
    slots = AdaptiveConcurrency("arcadia", 1, clock=FakeClock())
    async with asyncio.timeout(5):  # a slot never given back would hang the second call
        for _ in range(3):
            async with slots:
                pass


@pytest.mark.parametrize(("retry_after", "pause_s"), [(3.0, 3.0), (None, 1.0)])
async def test_adaptive_concurrency_pauses_for_exactly_the_retry_after(
    retry_after: float | None, pause_s: float
) -> None:
    clock = FakeClock()
    slots = AdaptiveConcurrency("arcadia", 4, adaptive=True, max_wait_s=0, clock=clock)
    slots.throttled(retry_after)
    clock.advance(pause_s - 0.001)
    with pytest.raises(UpstreamRateLimited) as caught:
        async with slots:
            pass
    assert caught.value.retry_after == 1 and caught.value.extensions["paced"] is True
    assert caught.value.upstream == "arcadia" and str(caught.value).startswith("arcadia: ")
    clock.advance(0.001)
    async with asyncio.timeout(5):  # at exactly the end of the pause the call goes
        async with slots:
            pass


class Failing:
    def __init__(self, error: Exception, failures: int = 100) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


DOWN = UpstreamUnavailable("down", upstream="opensolar", status=503)


async def test_backoff_doubles_from_a_tenth_of_a_second_up_to_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)  # the jitter's top of range
    sleeps: list[float] = []

    async def sleep(delay: float, result: object = None) -> object:
        sleeps.append(delay)
        return result

    monkeypatch.setattr(asyncio, "sleep", sleep)
    policy = RetryPolicy(attempts=8, budget=RetryBudget(ratio=0, reserve=100))
    failing = Failing(DOWN)
    with pytest.raises(UpstreamUnavailable):
        await policy.run(failing, idempotent=True)
    assert failing.calls == 8
    assert sleeps == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    assert policy.stats["retries"] == 7 and policy.stats["budget_exhausted"] == 0


async def test_a_retry_that_the_deadline_leaves_time_for_is_made_and_one_it_does_not_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: low)
    left = [0.5]
    monkeypatch.setattr(retry, "remaining_s", lambda: left[0])
    policy = RetryPolicy(attempts=3, budget=RetryBudget(ratio=0, reserve=100))
    failing = Failing(DOWN, failures=1)
    assert await policy.run(failing, idempotent=True) == "ok"  # 0.5 s left: enough for a try without a pause
    assert failing.calls == 2 and policy.stats["retries"] == 1 and policy.stats["deadline"] == 0
    throttled = Failing(UpstreamRateLimited("slow down", upstream="opensolar", retry_after=0.5))
    with pytest.raises(UpstreamRateLimited):  # a Retry-After of exactly what is left: no time to try again
        await policy.run(throttled, idempotent=True)
    assert throttled.calls == 1 and policy.stats["deadline"] == 1
    left[0] = 0.0
    with pytest.raises(UpstreamUnavailable):
        await policy.run(Failing(DOWN), idempotent=True)
    assert policy.stats["deadline"] == 2 and policy.stats["retries"] == 1


async def test_the_retry_budget_counts_each_refused_retry_once() -> None:
    policy = RetryPolicy(attempts=5, budget=RetryBudget(ratio=0, reserve=1))
    policy._wait = lambda attempt, exc: 0.0  # type: ignore[method-assign]
    for _ in range(3):
        with pytest.raises(UpstreamUnavailable):
            await policy.run(Failing(DOWN), idempotent=True)
    assert policy.stats["retries"] == 1 and policy.stats["budget_exhausted"] == 3
