"""Pacing with a real Redis: a 429's pause reaches every replica, and an outage degrades to a local budget."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack, ExitStack

import pytest
import redis.asyncio as aioredis

from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState
from tests.conftest import Gateway, errors_by_code, running_gateway, sandbox_settings
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

DETAIL = '{ org { project(id: "%d") { county } } }'


async def flushed(url: str) -> str:
    client = aioredis.Redis.from_url(url)
    await client.flushall()
    await client.aclose()
    return url


async def test_a_429_on_one_replica_pauses_the_bucket_on_the_other() -> None:
    sandbox = SandboxState(SandboxConfig(plan_per_user={"project_details": 30}))  # below the published 100
    ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids
    with redis_server() as url:
        settings = sandbox_settings(GATEWAY_CACHE_URL=await flushed(url), GATEWAY_THROTTLE_MAX_WAIT_S=0.2)
        async with AsyncExitStack() as stack:
            first = await stack.enter_async_context(running_gateway(settings, sandbox))
            second = await stack.enter_async_context(running_gateway(settings, sandbox))
            await asyncio.gather(*(first.query(DETAIL % pid) for pid in ids[:40]))
            first_429s = sandbox.statuses["opensolar.project_detail:429"]
            assert first_429s >= 1
            results = await asyncio.gather(*(second.query(DETAIL % pid) for pid in ids[40:80]))
    assert sandbox.statuses["opensolar.project_detail:429"] == first_429s
    assert all(set(errors_by_code(r)) == {"THROTTLED"} for r in results)


async def test_pacing_survives_redis_stopping_mid_test(caplog: pytest.LogCaptureFixture) -> None:
    sandbox = SandboxState(SandboxConfig())
    with ExitStack() as server:
        url = server.enter_context(redis_server())
        settings = sandbox_settings(GATEWAY_CACHE_URL=await flushed(url), GATEWAY_THROTTLE_MAX_WAIT_S=0)
        async with running_gateway(settings, sandbox) as gateway:
            assert (await gateway.query(DETAIL % 3001))["data"]["org"]["project"]["county"]
            server.close()  # redis-server stops here, with the gateway running
            with caplog.at_level(logging.WARNING, logger="gateway.throttle"):
                answered = await answered_details(gateway, sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids[1:100])
            metrics = (await gateway.client.get("/metrics")).text
            pacer = gateway.runtime.upstreams.pacer
    assert answered == 90  # a local budget of its own, still at the documented 100/min x 0.9
    assert sandbox.statuses["opensolar.project_detail:429"] == 0
    assert pacer is not None and pacer.stats["degraded"] == 1 and pacer.stats["storage_errors"] >= 99
    assert "pacing locally" in caplog.text
    assert 'gateway_throttle_events_total{event="storage_errors"}' in metrics
    assert 'gateway_throttle_events_total{event="storage_errors"} 0.0' not in metrics


async def answered_details(gateway: Gateway, project_ids: list[int]) -> int:
    answered = 0
    for pid in project_ids:  # one at a time: each call meets the dead Redis first
        result = await gateway.query(DETAIL % pid)
        assert set(errors_by_code(result)) <= {"THROTTLED"}  # never a 500 or an uncoded error
        answered += 1 if result["data"]["org"]["project"] else 0
    return answered
