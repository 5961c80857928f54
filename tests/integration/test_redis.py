"""Several replicas sharing one Redis: one cache, one throttle budget, evictions everywhere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
import redis.asyncio as aioredis

from gateway.bus import CHANGES_CHANNEL
from gateway.http.webhooks import org_secret
from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState
from tests.conftest import Gateway, errors_by_code, running_gateway, sandbox_settings
from tests.integration.servers import dead_address
from tests.redis_server import redis_server, restartable_redis

pytestmark = pytest.mark.integration

SECRET = "shared-secret"
PROJECT = '{ org { project(id: "%s") { title county systems { kwStc } } } }'


def redis_url_of(gateway: Gateway) -> str:
    return gateway.runtime.settings.cache_url


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[Gateway, Gateway, SandboxState]]:
    client = aioredis.Redis.from_url(redis_url)
    await client.flushall()
    await client.aclose()
    sandbox = SandboxState(SandboxConfig())  # one upstream behind both replicas
    settings = sandbox_settings(
        GATEWAY_CACHE_URL=redis_url, GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_THROTTLE_MAX_WAIT_S=0.2
    )
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_gateway(settings, sandbox))
        second = await stack.enter_async_context(running_gateway(settings, sandbox))
        yield first, second, sandbox


async def test_replicas_share_cache_entries(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    first, second, sandbox = replicas
    await first.query(PROJECT % 3001)
    calls = sandbox.total_calls
    result = await second.query(PROJECT % 3001)
    assert result["data"]["org"]["project"]["county"]
    assert sandbox.total_calls == calls  # the second replica was served from Redis
    assert second.runtime.caches.responses is not None and second.runtime.caches.responses.stats["hits"] == 1
    # and with the response cache off, from the upstream entries the first replica stored
    assert second.runtime.caches.upstream is not None
    async with running_gateway(
        sandbox_settings(GATEWAY_CACHE_URL=redis_url_of(first), GATEWAY_RESPONSE_CACHE=False), sandbox
    ) as third:
        await third.query(PROJECT % 3001)
        assert (
            third.runtime.caches.upstream is not None and third.runtime.caches.upstream.stats["hits"] >= 1
        )  # the detail (no org read)
    assert sandbox.total_calls == calls


async def test_replicas_share_the_throttle_budget(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    first, second, sandbox = replicas
    ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids
    queries = [
        (first if n % 2 else second).query('{ org { project(id: "%d") { county } } }' % pid)
        for n, pid in enumerate(ids)
    ]
    results = await asyncio.gather(*queries)
    answered = [r for r in results if r["data"]["org"]["project"]]  # a throttled project is null
    assert len(answered) == 90  # 100/min x 0.9, across both replicas together
    assert all(errors_by_code(r).keys() == {"THROTTLED"} for r in results if r not in answered)
    assert sandbox.counts["opensolar.project_detail"] == 90
    assert sandbox.statuses["opensolar.project_detail:429"] == 0


async def hook(gateway: Gateway, model: str, model_id: int, event: str = "UPDATE") -> dict[str, Any]:
    """A webhook from OpenSolar to this replica's receiver for the sandbox's Raw Data org."""
    response = await gateway.client.post(
        f"/webhooks/opensolar/{RAW_DATA_ORG_ID}",
        headers={"X-Solar-Gateway-Secret": org_secret(SECRET, RAW_DATA_ORG_ID)},
        json={"model": model, "model_id": model_id, "event": event},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):  # bounded: a lost message fails instead of hanging
        while not condition():  # noqa: ASYNC110 - polling state the app does not signal
            await asyncio.sleep(0.01)


async def test_one_webhook_evicts_the_shared_entries(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    first, second, sandbox = replicas
    await first.query(PROJECT % 3001)
    await second.query(PROJECT % 3002)
    before = sandbox.counts["opensolar.project_detail"]
    assert (await hook(first, "Project", 3001))["evicted"] == 2  # its detail and stored response, from Redis
    for replica in (second, first):
        await replica.query(PROJECT % 3001)
        await replica.query(PROJECT % 3002)
    assert sandbox.counts["opensolar.project_detail"] == before + 1  # 3001 refetched once, 3002 still cached


async def test_a_webhook_evicts_on_the_replica_that_did_not_receive_it(redis_url: str) -> None:
    """Each replica with its own memory cache, evictions over Redis: the other replica's copy goes too."""
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_BUS_URL=redis_url, GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_RESPONSE_CACHE=False)
    async with running_gateway(settings, sandbox) as first, running_gateway(settings, sandbox) as second:
        assert second.runtime.caches.upstream is not None and second.runtime.caches.upstream.store.name == "memory"
        await wait_for(
            lambda: first.runtime.changes.bus.connected.is_set() and second.runtime.changes.bus.connected.is_set()
        )
        await second.query(PROJECT % 3001)  # only the second replica holds it
        calls = sandbox.counts["opensolar.project_detail"]
        await second.query(PROJECT % 3001)
        assert sandbox.counts["opensolar.project_detail"] == calls  # served from its own cache
        assert (await hook(first, "Project", 3001))["evicted"] == 0  # the first replica had nothing
        await wait_for(
            lambda: second.runtime.caches.upstream is not None and second.runtime.caches.upstream.stats["evicted"] == 1
        )
        await second.query(PROJECT % 3001)
    assert sandbox.counts["opensolar.project_detail"] == calls + 1  # read again after the eviction


async def test_a_webhook_during_a_redis_outage_is_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    sandbox = SandboxState(SandboxConfig())
    with restartable_redis() as server:
        settings = sandbox_settings(GATEWAY_CACHE_URL=server.url, GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_THROTTLE=False)
        async with running_gateway(settings, sandbox) as first, running_gateway(settings, sandbox) as second:
            await wait_for(
                lambda: first.runtime.changes.bus.connected.is_set() and second.runtime.changes.bus.connected.is_set()
            )
            changes = second.runtime.changes.bus.subscribe(CHANGES_CHANNEL)  # a subscription on the other replica
            await first.query(PROJECT % 3001)  # stored in Redis, and saved with it
            server.stop()
            received = await hook(first, "Project", 3001)  # Redis is down: no 500
            tags = [f"opensolar:{RAW_DATA_ORG_ID}:project:3001", f"opensolar:{RAW_DATA_ORG_ID}:project_systems:3001"]
            assert received == {"evicted": 0, "tags": tags}
            assert first.runtime.changes.bus.pending == 2 and first.runtime.changes.bus.stats["publish_failed"] >= 1
            assert (
                first.runtime.caches.upstream is not None and first.runtime.caches.upstream.stats["evict_deferred"] == 1
            )
            metrics = (await first.client.get("/metrics")).text
            assert 'gateway_event_bus_events_total{event="publish_failed"}' in metrics
            for replica in (first, second):  # served without a cache meanwhile
                result = await replica.query(PROJECT % 3001)
                assert result["data"]["org"]["project"]["county"] and "errors" not in result
            server.start()  # back, with the entry the webhook made stale
            store: Any = first.runtime.caches.upstream.store
            await wait_for(lambda: first.runtime.changes.bus.pending == 0 and store.pending_evictions == 0)
            change = await asyncio.wait_for(anext(changes), 10)  # replayed to the other replica
            assert (change["model"], change["model_id"], change["org_id"]) == ("project", 3001, RAW_DATA_ORG_ID)
            calls = sandbox.counts["opensolar.project_detail"]
            await second.query(PROJECT % 3001)
            assert sandbox.counts["opensolar.project_detail"] == calls + 1  # the stale entry was evicted
            await changes.aclose()  # type: ignore[attr-defined]
    assert "event bus: Redis unreachable" in caplog.text


async def test_one_replica_evicts_what_an_outage_deferred() -> None:
    sandbox = SandboxState(SandboxConfig())
    with restartable_redis() as server:
        settings = sandbox_settings(GATEWAY_CACHE_URL=server.url, GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_THROTTLE=False)
        async with running_gateway(settings, sandbox) as gateway:
            await gateway.query(PROJECT % 3001)
            server.stop()
            await hook(gateway, "Project", 3001)
            server.start()  # with the stale entry; nobody else will evict it
            calls = sandbox.counts["opensolar.project_detail"]
            await gateway.query(PROJECT % 3001)
            assert sandbox.counts["opensolar.project_detail"] == calls + 1
            store: Any = gateway.runtime.caches.upstream and gateway.runtime.caches.upstream.store
            assert store.pending_evictions == 0 and store.stats["evictions_replayed"] == 2  # its two tags


async def test_redis_down_degrades_to_no_cache() -> None:
    sandbox = SandboxState(SandboxConfig())
    with dead_address() as dead:
        settings = sandbox_settings(GATEWAY_CACHE_URL=f"redis://{dead}/0", GATEWAY_THROTTLE=False)
        async with running_gateway(settings, sandbox) as gateway:
            for _ in range(2):
                result = await gateway.query(PROJECT % 3001)
                assert result["data"]["org"]["project"]["county"] and "errors" not in result
    assert sandbox.counts["opensolar.project_detail"] == 2  # no cache, but no errors either
    assert gateway.runtime.caches.upstream is not None and gateway.runtime.caches.upstream.stats["store_errors"] >= 2


async def test_persisted_queries_are_shared_by_replicas(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    import hashlib

    first, second, _ = replicas
    query = "{ org { id } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = await first.client.post("/graphql", json={"query": query, "extensions": extensions})
    assert registered.json()["data"]["org"]["id"]
    by_hash = await second.client.post("/graphql", json={"extensions": extensions})
    assert by_hash.json() == registered.json()


async def test_a_webhook_evicts_responses_on_every_replica(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    first, second, sandbox = replicas
    query = '{ org { project(id: "3004") { title county } } }'
    await first.query(query)
    await second.query(query)
    assert second.runtime.caches.responses is not None and second.runtime.caches.responses.stats["hits"] == 1
    await hook(first, "Project", 3004)
    calls = sandbox.total_calls
    await second.query(query)
    assert second.runtime.caches.responses.stats["hits"] == 1  # evicted for the other replica too
    assert sandbox.total_calls > calls
