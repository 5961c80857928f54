from __future__ import annotations

import asyncio
import time

import pytest
from limits.aio.storage import MemoryStorage

from gateway.errors import UpstreamRateLimited, UpstreamUnavailable
from gateway.throttle import AdaptiveConcurrency, Pacer, RetryBudget, RetryPolicy
from gateway.upstreams.limits import EndpointClass, Rate, ThrottleLimit

TINY = {cls: ThrottleLimit(Rate(5, 1), Rate(8, 1)) for cls in EndpointClass}


async def test_pacer_waits_for_budget_instead_of_exceeding_it() -> None:
    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=5, limits=TINY)
    started = time.monotonic()
    waits = await asyncio.gather(*(pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/") for _ in range(10)))
    assert sum(1 for w in waits if w < 0.05) == 5  # the per-user budget: five at once
    assert 0.9 < time.monotonic() - started < 4  # the rest waited for the window to move
    assert pacer.stats["waits"] == 5


async def test_pacer_rejects_when_the_wait_would_be_too_long() -> None:
    pacer = Pacer(
        MemoryStorage(),
        safety=1.0,
        max_wait_s=0.1,
        limits={cls: ThrottleLimit(Rate(2, 60), None) for cls in EndpointClass},
    )
    for _ in range(2):
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")
    with pytest.raises(UpstreamRateLimited) as caught:
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")
    assert caught.value.extensions["paced"] is True and 55 <= caught.value.retry_after <= 60  # type: ignore[operator]
    await pacer.acquire("other-cred", "GET", "/api/orgs/1/projects/2/")  # budgets are per credential
    await pacer.acquire("cred", "GET", "/api/orgs/1/contacts/")  # and per endpoint class


async def test_pacer_shares_the_org_budget_between_users() -> None:
    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=0, limits=TINY)
    for n in range(8):
        await pacer.acquire(f"user-{n}", "GET", "/api/orgs/1/projects/2/")
    with pytest.raises(UpstreamRateLimited):
        await pacer.acquire("user-9", "GET", "/api/orgs/1/projects/2/")


async def test_adaptive_concurrency_halves_pauses_and_recovers() -> None:
    slots = AdaptiveConcurrency("arcadia", 4, adaptive=True, max_wait_s=0.5)
    slots.throttled(retry_after=0.2)
    assert slots.limit == 2
    started = time.monotonic()
    async with slots:
        pass
    assert time.monotonic() - started >= 0.15  # paused for Retry-After
    slots.throttled(retry_after=30)
    with pytest.raises(UpstreamRateLimited):  # would wait past max_wait_s: fail fast
        async with slots:
            pass
    fixed = AdaptiveConcurrency("opensolar", 4)
    fixed.throttled(retry_after=30)
    assert fixed.limit == 4
    async with fixed:
        pass


async def test_adaptive_concurrency_bounds_in_flight_calls() -> None:
    slots = AdaptiveConcurrency("arcadia", 3)
    peak = current = 0

    async def work() -> None:
        nonlocal peak, current
        async with slots:
            current += 1
            peak = max(peak, current)
            await asyncio.sleep(0.01)
            current -= 1

    await asyncio.gather(*(work() for _ in range(20)))
    assert peak == 3


class Flaky:
    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures, self.calls = failures, 0
        self.error = error or UpstreamUnavailable("down", upstream="opensolar", status=503)

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


async def test_retries_idempotent_reads_only() -> None:
    policy = RetryPolicy(attempts=3)
    read = Flaky(2)
    assert await policy.run(read, idempotent=True) == "ok" and read.calls == 3
    write = Flaky(1)
    with pytest.raises(UpstreamUnavailable):
        await policy.run(write, idempotent=False)
    assert write.calls == 1


async def test_retry_honours_a_short_retry_after_and_skips_a_long_one() -> None:
    policy = RetryPolicy(attempts=2, max_retry_after_s=1)
    short = Flaky(1, UpstreamRateLimited("x", upstream="opensolar", retry_after=0.2))
    started = time.monotonic()
    assert await policy.run(short, idempotent=True) == "ok"
    assert time.monotonic() - started >= 0.2
    long = Flaky(1, UpstreamRateLimited("x", upstream="opensolar", retry_after=30))
    with pytest.raises(UpstreamRateLimited):
        await policy.run(long, idempotent=True)
    assert long.calls == 1


async def test_the_retry_budget_stops_retry_storms() -> None:
    policy = RetryPolicy(attempts=5, budget=RetryBudget(ratio=0.1, reserve=2))
    calls = 0
    for _ in range(10):
        failing = Flaky(100)
        with pytest.raises(UpstreamUnavailable):
            await policy.run(failing, idempotent=True)
        calls += failing.calls
    assert calls <= 10 + 2 + 1  # one try each, the reserve, and what ten first tries earned
    assert policy.stats["budget_exhausted"] >= 8


class BrokenStorage(MemoryStorage):
    async def get_moving_window(self, *args: object, **kwargs: object) -> tuple[float, int]:
        raise ConnectionError("redis is down")

    async def acquire_entry(self, *args: object, **kwargs: object) -> bool:
        raise ConnectionError("redis is down")


async def test_pacer_falls_back_to_a_local_budget_when_shared_storage_fails() -> None:
    pacer = Pacer(BrokenStorage(), safety=1.0, max_wait_s=0, limits=TINY)
    for _ in range(5):  # the local budget still applies
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")
    with pytest.raises(UpstreamRateLimited):
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")
    assert pacer.stats["storage_errors"] >= 6
