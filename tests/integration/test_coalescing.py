"""Identical concurrent queries from one scope execute once, cacheable or not (gateway/http/coalesce.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.sandbox import Fault, SandboxConfig, SandboxState
from tests.conftest import Gateway, GatewayFactory, sandbox_settings

pytestmark = pytest.mark.integration

NAME = "{ org { name } }"
LOGS = "{ org { webhookLogs(first: 2) { nodes { id } } } }"  # never cached upstream: never stored either
# no cache anywhere: only coalescing can make N requests one execution
UNCACHED = {"GATEWAY_CACHE": "false", "GATEWAY_RESPONSE_CACHE": "false", "GATEWAY_THROTTLE": "false"}


async def together(gateway: Gateway, query: str, n: int, token: str | None = None) -> list[Any]:
    return list(await asyncio.gather(*(gateway.query(query, token=token) for _ in range(n))))


@pytest.mark.parametrize(
    ("settings", "query", "route"),
    [(UNCACHED, NAME, "opensolar.org"), ({}, LOGS, "opensolar.webhook_logs")],
    ids=["every-cache-off", "uncacheable-operation"],
)
async def test_identical_concurrent_queries_execute_once(
    gateway_factory: GatewayFactory, executions: list[int], settings: dict[str, str], query: str, route: str
) -> None:
    sandbox = SandboxState(SandboxConfig(latency_ms=40))
    async with gateway_factory(sandbox_settings(**settings), sandbox) as gateway:
        answers = await together(gateway, query, 5)
    assert executions[0] == 1 and sandbox.counts[route] == 1
    assert "errors" not in answers[0] and all(a == answers[0] for a in answers)


async def test_different_credentials_never_share(gateway_factory: GatewayFactory, executions: list[int]) -> None:
    sandbox = SandboxState(SandboxConfig(latency_ms=40))
    async with gateway_factory(sandbox_settings(**UNCACHED), sandbox) as gateway:
        ours, theirs = await asyncio.gather(
            together(gateway, NAME, 3, gateway.raw_token), together(gateway, NAME, 3, gateway.api_access_token)
        )
    assert executions[0] == 2 and sandbox.counts["opensolar.org"] == 2
    assert all(a["data"]["org"]["name"] for a in ours)
    assert all(a["data"]["org"] is None and a["errors"][0]["extensions"]["code"] == "FORBIDDEN" for a in theirs)


async def test_a_failing_execution_gives_each_its_coded_error(
    gateway_factory: GatewayFactory, executions: list[int]
) -> None:
    sandbox = SandboxState(SandboxConfig(latency_ms=40))
    sandbox.faults.append(Fault(route="opensolar.org", status=503))
    async with gateway_factory(sandbox_settings(GATEWAY_RETRY_ATTEMPTS=1, **UNCACHED), sandbox) as gateway:
        answers = await together(gateway, NAME, 4)
    assert executions[0] == 1 and sandbox.counts["opensolar.org"] == 1
    assert all(a["data"]["org"] is None for a in answers)
    assert all(a["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE" for a in answers)


async def test_mutations_never_coalesce(gateway_factory: GatewayFactory, executions: list[int]) -> None:
    create = 'mutation { upsertContact(input: {firstName: "Ada", email: "ada@example.com"}) { id } }'
    sandbox = SandboxState(SandboxConfig(latency_ms=40))
    async with gateway_factory(sandbox_settings(**UNCACHED), sandbox) as gateway:
        answers = await together(gateway, create, 3)
    assert executions[0] == 3 and sandbox.counts["opensolar.contact_create"] == 3
    assert len({a["data"]["upsertContact"]["id"] for a in answers}) == 3
