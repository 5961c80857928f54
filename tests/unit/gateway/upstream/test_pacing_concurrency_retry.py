from __future__ import annotations

import asyncio

import pytest
from limits.aio.storage import MemoryStorage

from gateway.errors import UpstreamRateLimited, UpstreamUnavailable
from gateway.upstream.concurrency import AdaptiveConcurrency
from gateway.upstream.pacing import Pacer
from gateway.upstream.quotas import EndpointClass, Rate, ThrottleLimit
from gateway.upstream.retry import RetryBudget, RetryPolicy

TINY = {cls: ThrottleLimit(Rate(5, 1), Rate(8, 1)) for cls in EndpointClass}


class SleepSpy:
    """Records who asked ``asyncio.sleep`` for how long; sleeps for real only when told to."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, real: bool) -> None:
        self.calls: list[tuple[asyncio.Task[object] | None, float]] = []
        self._sleep = asyncio.sleep
        self._real = real
        monkeypatch.setattr(asyncio, "sleep", self)

    async def __call__(self, delay: float, result: object = None) -> object:
        self.calls.append((asyncio.current_task(), delay))
        return await self._sleep(delay if self._real else 0, result)

    @property
    def delays(self) -> list[float]:
        return [delay for _, delay in self.calls if delay > 0]


async def test_pacer_waits_for_budget_instead_of_exceeding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=5, limits=TINY)
    sleeps = SleepSpy(monkeypatch, real=True)  # the budget's window moves with real time
    tasks = [asyncio.ensure_future(pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")) for _ in range(10)]
    await asyncio.gather(*tasks)
    slept = {task for task, delay in sleeps.calls if delay > 0}
    assert len(set(tasks) - slept) == 5  # the per-user budget: five at once, without a pause
    assert len(slept & set(tasks)) == 5  # the rest waited for the window to move
    assert all(0 < delay <= 1 for delay in sleeps.delays)  # never longer than the 1 s window
    # each of the five waited at least once; under load a woken waiter may find the real-time window
    # still full and wait again, so the count is a floor, not an exact figure
    assert pacer.stats["waits"] >= 5


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
    paused_until = slots._paused_until
    async with slots:
        entered_at = slots._clock()
    assert entered_at >= paused_until  # paused for Retry-After, by the slots' own clock
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


async def test_retry_honours_a_short_retry_after_and_skips_a_long_one(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = RetryPolicy(attempts=2, max_retry_after_s=1)
    short = Flaky(1, UpstreamRateLimited("x", upstream="opensolar", retry_after=0.2))
    sleeps = SleepSpy(monkeypatch, real=False)
    assert await policy.run(short, idempotent=True) == "ok"
    assert sleeps.delays == [0.2]  # waited exactly the Retry-After before the second try
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
    async def get(self, *args: object, **kwargs: object) -> int:
        raise ConnectionError("redis is down")

    async def incr(self, *args: object, **kwargs: object) -> int:
        raise ConnectionError("redis is down")

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


@pytest.mark.parametrize(
    ("endpoint", "quota"),
    [
        ("/api/user_logins/", 100),  # proposal: 100/min per user
        ("/api/orgs/1/projects/2/", 100),  # project detail: 100/min per user
        ("/api/orgs/1/projects/2/systems/details/", 60),  # system details: 60/min per user
    ],
)
async def test_documented_quotas_are_paced_at_exactly_the_limit(endpoint: str, quota: int) -> None:
    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=0)
    for _ in range(quota):  # every call up to the documented limit goes through at once...
        await pacer.acquire("cred", "GET", endpoint)
    with pytest.raises(UpstreamRateLimited):  # ...and the next one would be over it
        await pacer.acquire("cred", "GET", endpoint)


def test_deployment_quotas_override_the_published_table() -> None:
    from gateway.upstream.quotas import OPENSOLAR_LIMITS, parse_quotas

    table = parse_quotas("project_detail=30/minute, proposal.org=5000/day")
    assert table[EndpointClass.PROJECT_DETAIL] == ThrottleLimit(
        Rate(30, 60), OPENSOLAR_LIMITS[EndpointClass.PROJECT_DETAIL].per_org
    )
    assert table[EndpointClass.PROPOSAL].per_org == Rate(5000, 86400)
    assert table[EndpointClass.SYSTEM_DETAILS] == OPENSOLAR_LIMITS[EndpointClass.SYSTEM_DETAILS]
    for bad in ("projects=30/minute", "project_detail=thirty", "project_detail", "project_detail.team=1/minute"):
        with pytest.raises(ValueError, match="opensolar quota"):
            parse_quotas(bad)


async def test_a_deployment_quota_paces_at_its_own_limit() -> None:
    from gateway.upstream.quotas import parse_quotas

    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=0, limits=parse_quotas("project_detail=30/minute"))
    for _ in range(30):
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")
    with pytest.raises(UpstreamRateLimited):
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")


async def test_a_long_healthy_spell_banks_no_retry_storm() -> None:
    policy = RetryPolicy(attempts=3)
    policy._wait = lambda attempt, exc: 0.0  # type: ignore[method-assign]
    for _ in range(1000):
        assert await policy.run(Flaky(0), idempotent=True) == "ok"
    calls = 0
    for _ in range(20):  # then a storm: every try fails
        failing = Flaky(100)
        with pytest.raises(UpstreamUnavailable):
            await policy.run(failing, idempotent=True)
        calls += failing.calls
    # 20 first tries, the 2 banked retries and what the 20 first tries earned (20%): never 100 banked
    assert calls <= 20 + 2 + 4


async def test_a_paused_bucket_is_shared_through_the_storage() -> None:
    shared = MemoryStorage()  # what Redis is to several replicas
    first, second = Pacer(shared, max_wait_s=0), Pacer(shared, max_wait_s=0)
    await first.throttled("cred-a", "GET", "/api/orgs/1/projects/2/", retry_after=30)
    with pytest.raises(UpstreamRateLimited) as caught:
        await second.acquire("cred-b", "GET", "/api/orgs/1/projects/3/")
    assert caught.value.extensions["paced"] is True and second.stats["rejected"] == 1
    await second.acquire("cred-b", "GET", "/api/orgs/2/projects/3/")  # another org is not paused


async def test_pauses_still_apply_when_the_shared_storage_fails() -> None:
    pacer = Pacer(BrokenStorage(), safety=1.0, max_wait_s=0, limits=TINY)
    await pacer.throttled("cred", "GET", "/api/orgs/1/projects/2/", retry_after=30)
    with pytest.raises(UpstreamRateLimited):
        await pacer.acquire("cred", "GET", "/api/orgs/1/projects/2/")
    assert pacer.stats["storage_errors"] >= 1 and pacer.stats["degraded"] == 1


async def test_a_pause_longer_than_the_request_has_left_fails_at_once() -> None:
    from gateway.deadline import start_deadline

    slots = AdaptiveConcurrency("arcadia", 4, adaptive=True, max_wait_s=10)
    slots.throttled(retry_after=3)
    start_deadline(1.0)
    with pytest.raises(UpstreamRateLimited) as caught:  # THROTTLED with retryAfter, not a timeout later
        async with slots:
            pass
    assert caught.value.retry_after == 3
