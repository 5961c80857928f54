"""The cross-request cache, pacing and webhook eviction, through the real app and the sandbox."""

from __future__ import annotations

import asyncio

import pytest

from gateway.sandbox import RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState
from tests.clock import FakeClock, use_clock
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings

pytestmark = pytest.mark.integration

SECRET = "receiver-secret-for-tests"
PROJECT = '{ org { project(id: "%s") { title county systems { kwStc } } } }'


def second_token(gateway: Gateway) -> str:
    return gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].second_token


async def test_no_duplicate_upstream_call_in_a_request(gateway: Gateway) -> None:
    result = await gateway.query("""{ org {
        a: project(id: "3001") { title county proposal { projectId } systems { kwStc details { name } } }
        b: project(id: "3001") { county lat systemDetails { name } proposal { hasBattery } }
        projects(first: 3) { nodes { id county systems { uuid } } } } }""")
    assert "errors" not in result
    calls = [(path, tuple(sorted(params.items()))) for _, path, params in gateway.sandbox.calls]
    assert len(calls) == len(set(calls)) == 9  # nothing fetched twice (the org not at all: the reads prove it)
    assert gateway.sandbox.counts["opensolar.project_detail"] == 3  # 3001 (shared by a, b, the list), 3002, 3003


async def test_repeated_requests_are_served_from_cache(gateway: Gateway) -> None:
    await gateway.query(PROJECT % 3001)
    calls = gateway.sandbox.total_calls
    for _ in range(3):
        assert (await gateway.query(PROJECT % 3001))["data"]["org"]["project"]["county"]
    assert gateway.sandbox.total_calls == calls  # warm: zero upstream calls


async def test_identical_concurrent_requests_share_one_upstream_call(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig(latency_ms=50))
    async with gateway_factory(sandbox_settings(), sandbox) as gateway:
        results = await asyncio.gather(*(gateway.query(PROJECT % 3001) for _ in range(10)))
    assert all(r["data"]["org"]["project"]["county"] for r in results)
    # one call; the systems come inlined in project detail, which also proves the org is there
    assert sandbox.counts == {"opensolar.project_detail": 1}


async def test_tenant_a_never_gets_tenant_b_data(gateway: Gateway) -> None:
    await gateway.query(PROJECT % 3001, token=gateway.raw_token)
    calls = gateway.sandbox.counts["opensolar.project_detail"]
    # the same org through another user's credential: a miss, fetched with that credential
    other = await gateway.query(PROJECT % 3001, token=second_token(gateway))
    assert other["data"]["org"]["project"]["county"]
    assert gateway.sandbox.counts["opensolar.project_detail"] == calls + 1
    # a tenant of another org gets its own answer (403), never the cached project
    foreign = await gateway.query(PROJECT % 3001, token=gateway.api_access_token)
    assert foreign["data"]["org"] is None
    assert errors_by_code(foreign).keys() == {"FORBIDDEN"}
    # and a caller with a bad token gets 401 from upstream, not a hit
    bad = await gateway.query(PROJECT % 3001, token="f" * 40)
    assert errors_by_code(bad).keys() == {"UNAUTHENTICATED"}


async def test_errors_are_never_cached(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    sandbox.faults.append(Fault(route="opensolar.project_detail", status=503, times=1))
    async with gateway_factory(sandbox_settings(GATEWAY_RETRY_ATTEMPTS=1), sandbox) as gateway:
        first = await gateway.query(PROJECT % 3001)
        second = await gateway.query(PROJECT % 3001)
    assert errors_by_code(first).keys() == {"UPSTREAM_UNAVAILABLE"}
    assert second["data"]["org"]["project"]["county"] and "errors" not in second
    assert sandbox.counts["opensolar.project_detail"] == 2


async def test_a_transient_failure_is_retried(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="opensolar.project_detail", status=502, times=1))
    result = await gateway.query(PROJECT % 3001)
    assert "errors" not in result
    assert gateway.sandbox.statuses["opensolar.project_detail:502"] == 1
    assert gateway.sandbox.statuses["opensolar.project_detail:200"] == 1


async def test_writes_are_never_retried(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="opensolar.webhook_update", status=503, times=1))
    result = await gateway.query('mutation { disableWebhook(id: "701") { enabled } }')
    assert errors_by_code(result).keys() == {"UPSTREAM_UNAVAILABLE"}
    assert gateway.sandbox.counts["opensolar.webhook_update"] == 1


async def test_stale_if_error_is_served_and_flagged(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_CACHE_TTLS={"project": 0.2, "systems": 0.2}, GATEWAY_RETRY_ATTEMPTS=1)
    async with gateway_factory(settings, sandbox) as gateway:
        use_clock(gateway.runtime, clock := FakeClock())
        fresh = await gateway.query(PROJECT % 3001)
        clock.advance(0.3)
        sandbox.faults.append(Fault(route="opensolar.*", status=429, headers={"Retry-After": "60"}))
        stale = await gateway.query(PROJECT % 3001)
    assert stale["data"] == fresh["data"] and "errors" not in stale
    flagged = {item["resource"].split("?")[0]: item for item in stale["extensions"]["stale"]}
    assert flagged["/api/orgs/1001/projects/3001/"]["reason"] == "THROTTLED"
    assert flagged["/api/orgs/1001/projects/3001/"]["ageSeconds"] == pytest.approx(0.3)


async def test_a_burst_stays_under_the_budget_with_zero_429s(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_THROTTLE_MAX_WAIT_S=0.2)
    async with gateway_factory(settings, sandbox) as gateway:
        ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids
        results = await asyncio.gather(
            *(gateway.query('{ org { project(id: "%d") { county } } }' % pid) for pid in ids)
        )
    answered = [r for r in results if r["data"]["org"]["project"]]  # a throttled project is null
    throttled = [r for r in results if errors_by_code(r).keys() == {"THROTTLED"}]
    assert len(answered) + len(throttled) == len(ids) == 120  # every request answered
    assert len(answered) == 90  # 100/min documented x 0.9 safety
    assert all(r["errors"][0]["extensions"]["retryAfter"] > 0 for r in throttled)
    assert sandbox.statuses["opensolar.project_detail:429"] == 0
    assert sandbox.counts["opensolar.project_detail"] == 90


async def test_pacing_waits_when_the_budget_frees_soon(gateway_factory: GatewayFactory) -> None:
    from gateway.upstream.quotas import OPENSOLAR_LIMITS, EndpointClass, Rate, ThrottleLimit

    sandbox = SandboxState(SandboxConfig(throttle=False))
    async with gateway_factory(sandbox_settings(GATEWAY_THROTTLE_MAX_WAIT_S=5), sandbox) as gateway:
        assert gateway.runtime.upstreams.pacer is not None
        gateway.runtime.upstreams.pacer._limits = {
            **OPENSOLAR_LIMITS,
            EndpointClass.PROJECT_DETAIL: ThrottleLimit(Rate(4, 1), None),
        }
        results = await asyncio.gather(
            *(gateway.query('{ org { project(id: "%d") { county } } }' % pid) for pid in range(3001, 3011))
        )
    assert all("errors" not in r for r in results)  # waited for budget instead of failing
    assert gateway.runtime.upstreams.pacer.stats["waits"] >= 6  # 4 per second: six of ten waited for the window
