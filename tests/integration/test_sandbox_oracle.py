"""The sandbox judges the gateway's pacing with its own copy of the published quotas."""

from __future__ import annotations

import asyncio

import pytest

from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState
from gateway.upstream.quotas import OPENSOLAR_LIMITS, EndpointClass, Rate, ThrottleLimit
from tests.conftest import GatewayFactory, errors_by_code, sandbox_settings

pytestmark = pytest.mark.integration


async def test_a_wrong_gateway_table_meets_the_sandboxs_429s(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(GATEWAY_THROTTLE_MAX_WAIT_S=0.2), sandbox) as gateway:
        assert gateway.runtime.upstreams.pacer is not None
        # the gateway believes project details allow 200/min; OpenSolar publishes 100/min
        gateway.runtime.upstreams.pacer._limits = {
            **OPENSOLAR_LIMITS,
            EndpointClass.PROJECT_DETAIL: ThrottleLimit(Rate(200, 60.0), Rate(10_000, 86_400.0)),
        }
        ids = sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids
        results = await asyncio.gather(
            *(gateway.query('{ org { project(id: "%d") { county } } }' % pid) for pid in ids)
        )
    assert len(ids) == 120
    assert sandbox.statuses["opensolar.project_detail:200"] == 100  # the sandbox's own number, not the gateway's
    # the sandbox's 429 shows the table is wrong; it then paused the bucket, so the rest never went out
    assert 1 <= sandbox.statuses["opensolar.project_detail:429"] <= 20
    assert sum(1 for r in results if r.get("errors")) == 20
    assert all(set(errors_by_code(r)) <= {"THROTTLED", "UPSTREAM_RATE_LIMITED"} for r in results)
