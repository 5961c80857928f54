"""The pacer's budgets on a frozen clock: the published table with its safety factor, waits of exactly
``max_wait_s`` and just past it, budgets per credential, per org and per replica set, and retries'
defaults."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import limits.aio.storage.memory
import pytest
from limits.aio.storage import MemoryStorage

from gateway.errors import UpstreamRateLimited, UpstreamUnavailable
from gateway.upstream import pacing
from gateway.upstream.concurrency import AdaptiveConcurrency
from gateway.upstream.pacing import Pacer, open_pacer_storage
from gateway.upstream.quotas import EndpointClass, Rate, ThrottleLimit
from gateway.upstream.retry import RetryPolicy
from tests.clock import FakeClock

PROJECT = "/api/orgs/1/projects/2/"  # project detail: 100/min per user in the published table


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """One hand-moved clock for the pacer, limits' MemoryStorage, and the pacer's sleeps."""
    clock = FakeClock()
    monkeypatch.setattr(limits.aio.storage.memory, "time", SimpleNamespace(time=clock))

    async def sleep(delay: float) -> None:
        clock.advance(delay + 0.001)  # a timer fires at its deadline or just after, never before

    monkeypatch.setattr(pacing, "asyncio", SimpleNamespace(sleep=sleep))
    return clock


async def refused(pacer: Pacer, credential: str = "cred", path: str = PROJECT) -> UpstreamRateLimited:
    with pytest.raises(UpstreamRateLimited) as caught:
        await pacer.acquire(credential, "GET", path)
    error = caught.value
    assert error.extensions["paced"] is True and error.upstream == "opensolar"
    assert str(error).startswith("opensolar: the gateway is pacing calls")
    return error


async def test_by_default_the_published_quota_is_paced_at_nine_tenths(frozen: FakeClock) -> None:
    pacer = Pacer(MemoryStorage(), clock=frozen)
    for _ in range(90):
        assert await pacer.acquire("cred", "GET", PROJECT) == 0.0
    error = await refused(pacer)  # the 91st would wait a minute: past the default 10 s, refused at once
    assert error.retry_after == 60 and pacer.stats["rejected"] == 1 and pacer.stats["waits"] == 0
    await refused(pacer)
    assert pacer.stats["rejected"] == 2


async def test_a_wait_of_exactly_max_wait_is_waited_and_one_just_past_it_is_refused(frozen: FakeClock) -> None:
    pacer = Pacer(MemoryStorage(), clock=frozen)  # max_wait_s: 10 by default
    for _ in range(90):
        await pacer.acquire("cred", "GET", PROJECT)
    frozen.advance(49.5)
    assert (await refused(pacer)).retry_after == 11  # 10.5 s to wait
    frozen.advance(0.5)
    waited = await pacer.acquire("cred", "GET", PROJECT)  # exactly 10 s to wait
    assert waited == pytest.approx(10.001)
    assert pacer.stats["waits"] == 1 and pacer.stats["wait_ms"] == 10_001
    assert pacer.stats["rejected"] == 1


async def test_a_call_refused_on_the_org_budget_spends_none_of_its_own(frozen: FakeClock) -> None:
    table = {cls: ThrottleLimit(Rate(3, 60), Rate(3, 1)) for cls in EndpointClass}
    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=0, limits=table, clock=frozen)
    for user in ("a", "b", "c"):
        await pacer.acquire(user, "GET", PROJECT)
    for _ in range(3):
        assert (await refused(pacer, "x")).retry_after == 1  # the org's second, not x's own minute
    frozen.advance(1.001)
    for _ in range(3):  # x's own budget is whole
        await pacer.acquire("x", "GET", PROJECT)


async def test_calls_outside_an_org_are_budgeted_per_credential(frozen: FakeClock) -> None:
    table = {cls: ThrottleLimit(None, Rate(2, 60)) for cls in EndpointClass}
    pacer = Pacer(MemoryStorage(), safety=1.0, max_wait_s=0, limits=table, clock=frozen)
    for credential in ("a", "b"):
        for _ in range(2):
            await pacer.acquire(credential, "GET", "/api/user_logins/")
    await refused(pacer, "a", "/api/user_logins/")


async def test_replicas_sharing_a_store_share_one_budget(frozen: FakeClock) -> None:
    table = {cls: ThrottleLimit(Rate(2, 60), None) for cls in EndpointClass}
    shared = MemoryStorage()
    first, second = (Pacer(shared, safety=1.0, max_wait_s=0, limits=table, clock=frozen) for _ in range(2))
    await first.acquire("cred", "GET", PROJECT)
    await second.acquire("cred", "GET", PROJECT)
    await refused(first)
    assert first.stats["storage_errors"] == 0 and second.stats["storage_errors"] == 0


class DownStorage(MemoryStorage):
    async def get(self, key: str) -> int:
        raise ConnectionError("redis is down")

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        raise ConnectionError("redis is down")

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        raise ConnectionError("redis is down")


async def test_the_local_budget_of_an_outage_is_still_per_credential(frozen: FakeClock) -> None:
    table = {cls: ThrottleLimit(Rate(2, 60), None) for cls in EndpointClass}
    pacer = Pacer(DownStorage(), safety=1.0, max_wait_s=0, limits=table, clock=frozen)
    for credential in ("a", "b"):
        for _ in range(2):
            await pacer.acquire(credential, "GET", PROJECT)
    await refused(pacer, "a")


async def test_the_end_of_a_pause_is_waited_for_exactly(frozen: FakeClock) -> None:
    pacer = Pacer(MemoryStorage(), max_wait_s=10, clock=frozen)
    await pacer.throttled("cred", "GET", PROJECT, retry_after=1)
    frozen.advance(0.5)
    assert await pacer.acquire("cred", "GET", PROJECT) == pytest.approx(0.501)


async def test_a_slot_paused_past_the_default_ten_seconds_fails_at_once() -> None:
    slots = AdaptiveConcurrency("arcadia", 4, adaptive=True, clock=FakeClock())
    slots.succeeded()  # at its limit already: nothing to grow
    assert slots.limit == 4
    slots.throttled(retry_after=10.5)
    async with asyncio.timeout(5):  # refused now, not after a wait
        with pytest.raises(UpstreamRateLimited) as caught:
            async with slots:
                pass
    assert caught.value.retry_after == 11


class Failing:
    def __init__(self, error: Exception) -> None:
        self.error, self.calls = error, 0

    async def __call__(self) -> str:
        self.calls += 1
        raise self.error


async def no_wait(policy: RetryPolicy) -> RetryPolicy:
    policy._wait = lambda attempt, exc: 0.0  # type: ignore[method-assign]
    return policy


@pytest.mark.parametrize(
    ("error", "calls"),
    [
        (UpstreamUnavailable("down", upstream="opensolar", status=503), 3),  # the default budget banks 2 retries
        (UpstreamRateLimited("slow", upstream="opensolar", retry_after=5), 3),  # exactly the longest Retry-After
        (UpstreamRateLimited("slow", upstream="opensolar", retry_after=5.01), 1),
        (UpstreamRateLimited("slow", upstream="opensolar", retry_after=None), 3),
        (UpstreamRateLimited("paced", upstream="opensolar", retry_after=1, paced=True), 1),  # our own refusal
    ],
)
async def test_what_a_read_is_retried_on_by_default(error: Exception, calls: int) -> None:
    policy = await no_wait(RetryPolicy(attempts=10))
    failing = Failing(error)
    with pytest.raises(type(error)):
        await policy.run(failing, idempotent=True)
    assert failing.calls == calls


class RacedStorage(MemoryStorage):
    """Another replica takes the last slot of a user's window between our look at it and our hit."""

    race = False

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if self.race and "/user/" in key:
            self.race = False
            await super().acquire_entry(key, limit, expiry, amount)
        return await super().acquire_entry(key, limit, expiry, amount)


async def test_a_call_that_loses_the_last_slot_to_another_replica_waits_for_that_window_only(
    frozen: FakeClock,
) -> None:
    storage = RacedStorage()
    pacer = Pacer(storage, clock=frozen)  # project detail: 90 a minute per user, 9,000 a day per org
    for _ in range(89):
        await pacer.acquire("cred", "GET", PROJECT)
    storage.race = True
    assert (await refused(pacer)).retry_after == 60  # the user's minute, not the org's day


async def test_closing_the_pacer_closes_the_shared_stores_client() -> None:
    closed: list[str] = []

    class Client:
        async def aclose(self) -> None:
            closed.append("closed")

    shared = MemoryStorage()
    shared.bridge = SimpleNamespace(storage=Client())  # type: ignore[attr-defined]  # as limits' Redis storage holds it
    await Pacer(shared).close()
    assert closed == ["closed"]
    await Pacer(MemoryStorage()).close()  # a budget in memory has nothing to close


def test_the_pacer_budget_is_shared_through_redis_only_for_a_redis_url() -> None:
    assert isinstance(open_pacer_storage(None), MemoryStorage)
    assert isinstance(open_pacer_storage("memory://"), MemoryStorage)
    shared = open_pacer_storage("redis://127.0.0.1:1/0")  # not connected until used
    assert not isinstance(shared, MemoryStorage) and type(shared).__name__ == "RedisStorage"
