"""The upstream call path end to end in one process: client, cache, retries, pacing and the deadline.

Every test here checks counts and codes through a real ``OpenSolarClient`` on an
``httpx.MockTransport``, with the cache's clock injected; none reads the wall clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from limits.aio.storage import MemoryStorage

from gateway.cache import StaleRead, UpstreamCache, stale_reads
from gateway.cache.store import MemoryStore
from gateway.deadline import start_deadline
from gateway.errors import UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable
from gateway.settings import Settings
from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.pacing import Pacer
from gateway.upstream.retry import RetryBudget, RetryPolicy

PROJECT = {"id": 2, "title": "Roof", "org_id": 1}
Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(
    handler: Handler,
    *,
    cache: UpstreamCache | None = None,
    retry: RetryPolicy | None = None,
    pacer: Pacer | None = None,
    **settings: Any,
) -> OpenSolarClient:
    config = Settings.model_validate(settings).upstream("opensolar", "https://api.opensolar.test")
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OpenSolarClient(config, http, concurrency=8, cache=cache, retry=retry, pacer=pacer)


def counting(*responses: httpx.Response | type[httpx.TransportError]) -> tuple[Handler, Counter[str]]:
    """A handler answering ``responses`` in turn (the last one forever), counting calls per method."""
    calls: Counter[str] = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        calls[request.method] += 1
        answer = responses[min(calls.total() - 1, len(responses) - 1)]
        if isinstance(answer, type):
            raise answer("injected", request=request)
        return answer

    return handler, calls


def fast_retries(attempts: int = 3) -> RetryPolicy:
    policy = RetryPolicy(attempts=attempts, budget=RetryBudget(reserve=10))
    policy._wait = lambda attempt, exc: 0.0  # type: ignore[method-assign]  # no backoff sleeps in unit tests
    return policy


async def test_only_get_and_head_are_retried() -> None:
    handler, calls = counting(httpx.Response(503))
    opensolar = client(handler, retry=fast_retries())
    with pytest.raises(UpstreamUnavailable):
        await opensolar.project("t", 1, 2)
    with pytest.raises(UpstreamUnavailable):
        await opensolar.create_webhook("t", 1, {"endpoint": "https://example.test/"})
    with pytest.raises(UpstreamUnavailable):
        await opensolar.update_webhook("t", 1, 7, {"enabled": False})
    assert calls == {"GET": 3, "POST": 1, "PATCH": 1}  # a write may have taken effect: never sent twice


async def test_a_429_is_never_cached() -> None:
    handler, calls = counting(httpx.Response(429, headers={"Retry-After": "30"}), httpx.Response(200, json=PROJECT))
    opensolar = client(handler, cache=UpstreamCache(MemoryStore(10**6), stale_s=60), retry=fast_retries())
    with pytest.raises(UpstreamRateLimited):
        await opensolar.project("t", 1, 2)
    project = await opensolar.project("t", 1, 2)  # asked again: the 429 was not remembered
    assert project.title == "Roof" and calls["GET"] == 2
    await opensolar.project("t", 1, 2)  # the success is
    assert calls["GET"] == 2


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (httpx.ReadTimeout, "UPSTREAM_TIMEOUT"),
        (httpx.ConnectError, "UPSTREAM_UNAVAILABLE"),
        (httpx.Response(503), "UPSTREAM_UNAVAILABLE"),
        (httpx.Response(504), "UPSTREAM_TIMEOUT"),
        (httpx.Response(429, headers={"Retry-After": "60"}), "THROTTLED"),
    ],
)
async def test_stale_if_error_covers_timeouts_outages_and_throttling(
    failure: httpx.Response | type[httpx.TransportError], reason: str
) -> None:
    clock = Clock()
    handler, calls = counting(httpx.Response(200, json=PROJECT), failure)
    cache = UpstreamCache(MemoryStore(10**6), stale_s=900, clock=clock)
    opensolar = client(handler, cache=cache, retry=RetryPolicy(attempts=1))
    await opensolar.project("t", 1, 2)
    clock.now += 301  # past the project TTL (300 s), inside the stale window
    reads: list[StaleRead] = []
    token = stale_reads.set(reads)
    try:
        project = await opensolar.project("t", 1, 2)
    finally:
        stale_reads.reset(token)
    assert project.title == "Roof" and calls["GET"] == 2
    assert [(read.reason, read.age_s) for read in reads] == [(reason, 301.0)]


async def test_stale_is_served_at_the_first_failure_while_the_refresh_goes_on() -> None:
    clock = Clock()
    second_try = asyncio.Event()
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 2:
            return httpx.Response(503)
        if calls == 3:
            await second_try.wait()  # the retry is held until the stale answer went out
            return httpx.Response(200, json={**PROJECT, "title": "Renamed"})
        return httpx.Response(200, json=PROJECT)

    cache = UpstreamCache(MemoryStore(10**6), stale_s=900, clock=clock)
    opensolar = client(handler, cache=cache, retry=fast_retries())
    await opensolar.project("t", 1, 2)
    clock.now += 301
    stale = await opensolar.project("t", 1, 2)
    assert stale.title == "Roof" and calls == 3 and cache.stats["stale"] == 1  # the retry is still in flight
    second_try.set()
    for _ in range(100):  # let the background refresh finish and store its answer
        if cache.stats["stores"] == 2:
            break
        await asyncio.sleep(0)
    fresh = await opensolar.project("t", 1, 2)
    assert fresh.title == "Renamed" and calls == 3


async def test_the_request_deadline_bounds_a_hanging_upstream() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    opensolar = client(hang, retry=fast_retries(), GATEWAY_UPSTREAM_DEADLINE_S=3600)
    start_deadline(0.05)
    with pytest.raises(UpstreamTimeout) as caught:
        await opensolar.project("t", 1, 2)
    assert caught.value.extensions["deadline"] is True


async def test_an_attempts_own_deadline_still_bounds_it_inside_a_longer_request_deadline() -> None:
    """The attempt timer is left out only when the request's deadline falls first; here it falls later."""

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    opensolar = client(hang, retry=RetryPolicy(attempts=1), GATEWAY_UPSTREAM_DEADLINE_S=0.05)
    start_deadline(30.0)
    with pytest.raises(UpstreamTimeout) as caught:
        await opensolar.project("t", 1, 2)
    assert "deadline" not in caught.value.extensions and "within 0.05 s" in caught.value.message
    assert opensolar.stats["timeout"] == 1


async def test_the_request_deadline_serves_stale_values_instead_of_waiting() -> None:
    clock = Clock()
    release = asyncio.Event()
    handler_calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal handler_calls
        handler_calls += 1
        if handler_calls > 1:
            await release.wait()  # hangs (until the test releases it)
        return httpx.Response(200, json=PROJECT)

    cache = UpstreamCache(MemoryStore(10**6), stale_s=900, clock=clock)
    opensolar = client(handler, cache=cache, retry=fast_retries(), GATEWAY_UPSTREAM_DEADLINE_S=3600)
    await opensolar.project("t", 1, 2)
    clock.now += 301
    start_deadline(0.05)
    reads: list[StaleRead] = []
    token = stale_reads.set(reads)
    try:
        assert (await opensolar.project("t", 1, 2)).title == "Roof"
    finally:
        stale_reads.reset(token)
    assert [read.reason for read in reads] == ["UPSTREAM_TIMEOUT"]
    release.set()


async def test_no_retry_is_started_that_the_deadline_cannot_wait_for() -> None:
    handler, calls = counting(httpx.Response(429, headers={"Retry-After": "5"}))
    opensolar = client(handler, retry=RetryPolicy(attempts=3, max_retry_after_s=10))
    start_deadline(1.0)
    with pytest.raises(UpstreamRateLimited):
        await opensolar.project("t", 1, 2)
    assert calls["GET"] == 1  # a 5 s Retry-After does not fit in what is left of a 1 s deadline


async def test_an_upstream_429_pauses_the_bucket_for_every_caller() -> None:
    handler, calls = counting(httpx.Response(429, headers={"Retry-After": "40"}), httpx.Response(200, json=PROJECT))
    pacer = Pacer(MemoryStorage(), max_wait_s=1)
    opensolar = client(handler, retry=fast_retries(), pacer=pacer)
    with pytest.raises(UpstreamRateLimited):
        await opensolar.project("token-a", 1, 2)
    for token in ("token-a", "token-b"):  # another user of the same org: the same bucket
        with pytest.raises(UpstreamRateLimited) as caught:
            await opensolar.project(token, 1, 3)
        assert caught.value.extensions["paced"] is True and 39 <= caught.value.retry_after <= 40  # type: ignore[operator]
    assert calls["GET"] == 1  # the pause held every later call back
    await opensolar.project("token-a", 5, 2)  # another org's bucket is not paused
    assert calls["GET"] == 2
