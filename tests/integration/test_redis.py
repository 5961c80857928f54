"""Several replicas sharing one Redis: one cache, one throttle budget, evictions everywhere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack

import pytest
import redis.asyncio as aioredis

from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState
from tests.conftest import Gateway, errors_by_code, running_gateway, sandbox_settings
from tests.integration.servers import dead_address
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

SECRET = "shared-secret"
PROJECT = '{ org { project(id: "%s") { title county systems { kwStc } } } }'


def redis_url_of(gateway: Gateway) -> str:
    return gateway.services.settings.cache_url


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
    assert second.services.response_cache is not None and second.services.response_cache.stats["hits"] == 1
    # and with the response cache off, from the upstream entries the first replica stored
    assert second.services.cache is not None
    async with running_gateway(
        sandbox_settings(GATEWAY_CACHE_URL=redis_url_of(first), GATEWAY_RESPONSE_CACHE=False), sandbox
    ) as third:
        await third.query(PROJECT % 3001)
        assert third.services.cache is not None and third.services.cache.stats["hits"] >= 2
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


async def test_one_webhook_evicts_on_every_replica(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    first, second, sandbox = replicas
    await first.query(PROJECT % 3001)
    await second.query(PROJECT % 3002)
    before = sandbox.counts["opensolar.project_detail"]
    response = await first.client.post(
        "/webhooks/opensolar",
        headers={"X-Solar-Gateway-Secret": SECRET},
        json={"model": "Project", "model_id": 3001, "event": "UPDATE"},
    )
    assert response.status_code == 200
    await asyncio.sleep(0.2)  # the other replica hears it over pub/sub
    for replica in (second, first):
        await replica.query(PROJECT % 3001)
        await replica.query(PROJECT % 3002)
    assert sandbox.counts["opensolar.project_detail"] == before + 1  # 3001 refetched once, 3002 still cached
    assert second.services.cache is not None and second.services.cache.stats["evicted"] >= 0


async def test_evictions_reach_replicas_over_pubsub(redis_url: str) -> None:
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_CACHE_URL=redis_url, GATEWAY_WEBHOOK_SECRET=SECRET)
    async with running_gateway(settings, sandbox) as first, running_gateway(settings, sandbox) as second:
        await asyncio.sleep(0.1)  # both subscribed
        await first.client.post(
            "/webhooks/opensolar",
            headers={"X-Solar-Gateway-Secret": SECRET},
            json={"model": "Contact", "model_id": 5001, "event": "DELETE"},
        )
        for _ in range(50):
            if second.services.cache and second.services.cache.stats["evict_calls"]:
                break
            await asyncio.sleep(0.05)
        assert second.services.cache is not None and second.services.cache.stats["evict_calls"] >= 1


async def test_redis_down_degrades_to_no_cache() -> None:
    sandbox = SandboxState(SandboxConfig())
    with dead_address() as dead:
        settings = sandbox_settings(GATEWAY_CACHE_URL=f"redis://{dead}/0", GATEWAY_THROTTLE=False)
        async with running_gateway(settings, sandbox) as gateway:
            for _ in range(2):
                result = await gateway.query(PROJECT % 3001)
                assert result["data"]["org"]["project"]["county"] and "errors" not in result
    assert sandbox.counts["opensolar.project_detail"] == 2  # no cache, but no errors either
    assert gateway.services.cache is not None and gateway.services.cache.stats["store_errors"] >= 2


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
    assert second.services.response_cache is not None and second.services.response_cache.stats["hits"] == 1
    await first.client.post(
        "/webhooks/opensolar",
        headers={"X-Solar-Gateway-Secret": SECRET},
        json={"model": "Project", "model_id": 3004, "event": "UPDATE"},
    )
    calls = sandbox.total_calls
    await second.query(query)
    assert second.services.response_cache.stats["hits"] == 1  # evicted for the other replica too
    assert sandbox.total_calls > calls
