"""The upstream call path through the real app and the sandbox: error bodies, deadline, retries, 429s."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from gateway.sandbox import RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings

pytestmark = pytest.mark.integration

DB_URL = "postgres://admin:hunter2@db.internal:5432/opensolar"
TRACEBACK = 'Traceback (most recent call last):\n  File "/srv/app/views.py", line 12'
ORG_AND_PROPOSAL = '{ org { name project(id: "3001") { title proposal { projectId } } } }'


async def test_upstream_error_bodies_stay_out_of_responses(gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    token = gateway.raw_token
    with caplog.at_level(logging.INFO, logger="gateway.upstreams"):
        gateway.sandbox.faults.append(
            Fault(route="opensolar.org", status=500, body=json.dumps({"detail": f"{DB_URL}\n{TRACEBACK}"}))
        )
        down = await gateway.query("{ org { name } }")
        gateway.sandbox.faults[:] = [
            Fault(route="opensolar.project_detail", status=401, body=json.dumps({"detail": "x", "token_seen": token}))
        ]
        refused = await gateway.query('{ org { project(id: "3001") { title } } }')
    result = {"errors": down["errors"] + refused["errors"]}
    text = json.dumps(result)
    assert set(errors_by_code(result)) == {"UPSTREAM_UNAVAILABLE", "UNAUTHENTICATED"}
    for secret in ("hunter2", "db.internal", "Traceback", "/srv/app", "token_seen", token):
        assert secret not in text
    assert "HTTP 500" in caplog.text and "hunter2" not in caplog.text and token not in caplog.text


async def test_a_400s_fields_are_shown_redacted(gateway: Gateway) -> None:
    body = {"endpoint": [f"{DB_URL} refused the URL."], "x" * 100: ["dropped: not a plain short name"]}
    gateway.sandbox.faults.append(Fault(route="opensolar.webhook_create", status=400, body=json.dumps(body)))
    result = await gateway.query('mutation { createWebhook(input: {endpoint: "https://me.test/hook"}) { id } }')
    (error,) = errors_by_code(result)["BAD_REQUEST"]
    assert error["extensions"]["fields"] == {"endpoint": ["[redacted] refused the URL."]}
    assert "hunter2" not in json.dumps(result)


async def test_a_post_is_sent_once_even_when_it_fails(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="opensolar.webhook_create", status=503, times=1))
    result = await gateway.query('mutation { createWebhook(input: {endpoint: "https://me.test/hook"}) { id } }')
    assert errors_by_code(result).keys() == {"UPSTREAM_UNAVAILABLE"}
    assert gateway.sandbox.counts["opensolar.webhook_create"] == 1


async def test_the_request_deadline_answers_with_what_is_ready(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    sandbox.faults.append(Fault(route="opensolar.proposal", delay_s=3600))  # hangs for good
    settings = sandbox_settings(GATEWAY_REQUEST_DEADLINE_S=0.3)
    async with gateway_factory(settings, sandbox) as gateway:
        result = await gateway.query(ORG_AND_PROPOSAL)
    assert result["data"]["org"]["name"] and result["data"]["org"]["project"]["title"]
    assert result["data"]["org"]["project"]["proposal"] is None
    (error,) = errors_by_code(result)["UPSTREAM_TIMEOUT"]
    assert error["path"] == ["org", "project", "proposal"] and error["extensions"]["deadline"] is True
    assert sandbox.counts["opensolar.proposal"] == 1  # no retry was started that could not finish in time


async def test_arcadia_halves_its_concurrency_and_pauses_on_a_429(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="arcadia.incentives", status=429, headers={"Retry-After": "30"}, times=1))
    first = await gateway.query('{ incentives(filter: {zipCode: "11215"}) { totalCount } }')
    assert errors_by_code(first).keys() == {"THROTTLED"}
    assert gateway.runtime.upstreams.arcadia.slots.limit == 2  # 4, halved
    calls = gateway.sandbox.counts["arcadia.incentives"]
    second = await gateway.query('{ incentives(filter: {zipCode: "80202"}) { totalCount } }')
    (error,) = errors_by_code(second)["THROTTLED"]
    assert error["extensions"]["paced"] is True and error["extensions"]["retryAfter"] >= 29
    assert gateway.sandbox.counts["arcadia.incentives"] == calls  # paused: Arcadia was not asked again


DETAIL = '{ org { project(id: "%d") { county } } }'


async def burst(gateway: Gateway, project_ids: list[int]) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(gateway.query(DETAIL % pid) for pid in project_ids)))


async def test_a_plan_below_the_table_costs_one_burst_of_429s_not_two(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig(plan_per_user={"project_details": 30}))  # the table says 100
    ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids
    async with gateway_factory(sandbox_settings(GATEWAY_THROTTLE_MAX_WAIT_S=0.2), sandbox) as gateway:
        await burst(gateway, ids[:40])
        first_429s = sandbox.statuses["opensolar.project_detail:429"]
        assert sandbox.statuses["opensolar.project_detail:200"] == 30 and first_429s >= 1
        calls = sandbox.counts["opensolar.project_detail"]
        second = await burst(gateway, ids[40:80])
    assert sandbox.statuses["opensolar.project_detail:429"] == first_429s  # no new upstream 429
    assert sandbox.counts["opensolar.project_detail"] == calls  # the bucket is paused until Retry-After
    assert all(set(errors_by_code(r)) == {"THROTTLED"} for r in second)


async def test_deployment_quotas_pace_a_smaller_plan_without_a_429(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig(plan_per_user={"project_details": 30}))
    ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids
    settings = sandbox_settings(GATEWAY_THROTTLE_MAX_WAIT_S=0.2, GATEWAY_OPENSOLAR_QUOTAS="project_detail=30/minute")
    async with gateway_factory(settings, sandbox) as gateway:
        results = await burst(gateway, ids[:40])
    assert sum(1 for r in results if r["data"]["org"]["project"]) == 27  # 30 x the 0.9 safety factor
    assert sandbox.statuses["opensolar.project_detail:429"] == 0


STORM_QUERY = '{ org { name project(id: "%d") { title proposal { projectId } systems { kwStc } } } }'


async def calls_per_request(gateway_factory: GatewayFactory, fault: Fault | None) -> float:
    sandbox = SandboxState(SandboxConfig())
    ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids[:10]
    async with gateway_factory(sandbox_settings(GATEWAY_THROTTLE_MAX_WAIT_S=0.2), sandbox) as gateway:
        await gateway.query("{ org { name } }")  # the org, fetched (and cached) before the storm
        sandbox.reset_counters()
        if fault is not None:
            sandbox.faults.append(fault)
        results = await asyncio.gather(*(gateway.query(STORM_QUERY % pid) for pid in ids))
    assert all(set(errors_by_code(r)) <= {"THROTTLED", "UPSTREAM_UNAVAILABLE"} for r in results)
    return sandbox.total_calls / len(ids)


@pytest.mark.parametrize(
    "fault",
    [
        # on a leaf (the proposal), so the storm does not shrink the calls a request makes
        Fault(route="opensolar.proposal", status=429, headers={"Retry-After": "1"}),  # short: worth retrying
        Fault(route="opensolar.proposal", status=503),
    ],
)
async def test_a_storm_costs_at_most_a_fifth_more_upstream_calls(gateway_factory: GatewayFactory, fault: Fault) -> None:
    fault_free = await calls_per_request(gateway_factory, None)
    storm = await calls_per_request(gateway_factory, fault)
    assert storm <= 1.2 * fault_free, (storm, fault_free)
