"""Two tenants reading the same resource, through each cache layer in turn.

The owner warms a layer; a tenant of another org then sends the very same request. It must be refused by
the upstream with its own credential (a call made, FORBIDDEN), never answered from the owner's entry. Each
check also fails on empty data: the owner's answer must hold values, and none of them may reach the other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
import redis.asyncio as aioredis

from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, SandboxConfig, SandboxState
from tests.conftest import Gateway, GatewayFactory, errors_by_code, running_gateway, sandbox_settings
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

DOCUMENTS = {
    "project": '{ org { project(id: "3001") { title county systems { kwStc } } } }',
    "org list": '{ org(id: "%d") { projects(first: 5) { nodes { id title } } } }' % RAW_DATA_ORG_ID,
    "decoded design": '{ org { project(id: "3001") { design { totalPanelCount json(path: "object.uuid") } } } }',
}
LAYERS = {
    "upstream cache": {"GATEWAY_RESPONSE_CACHE": False},
    "response cache": {},
}


def leaves(value: Any) -> set[str]:
    """Every non-null scalar in an answer's data, as text."""
    if isinstance(value, dict):
        return set().union(*(leaves(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(leaves(v) for v in value)) if value else set()
    return set() if value is None else {str(value)}


def hits(gateway: Gateway) -> int:
    cache = gateway.runtime.caches.responses
    return cache.stats["hits"] if cache is not None else 0


async def warm(gateway: Gateway, document: str) -> dict[str, Any]:
    """The owner's answer, asked twice: the second is served by the layer under test."""
    owner: dict[str, Any] = await gateway.query(document, token=gateway.raw_token)
    calls, served = gateway.sandbox.total_calls, hits(gateway)
    assert await gateway.query(document, token=gateway.raw_token) == owner
    assert gateway.sandbox.total_calls == calls  # from the cache
    assert "errors" not in owner and len(leaves(owner["data"])) >= 2, owner
    owner["served"] = hits(gateway) - served
    return owner


def assert_refused(owner: dict[str, Any], foreign: dict[str, Any]) -> None:
    assert errors_by_code(foreign).keys() == {"FORBIDDEN"}, foreign
    assert not leaves(foreign["data"]) & (leaves(owner["data"]) - {str(RAW_DATA_ORG_ID)})


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("document", DOCUMENTS)
async def test_another_orgs_tenant_never_reads_a_warm_entry(
    gateway_factory: GatewayFactory, layer: str, document: str
) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(**LAYERS[layer]), sandbox) as gateway:
        owner = await warm(gateway, DOCUMENTS[document])
        assert owner["served"] == (1 if layer == "response cache" else 0)
        calls, served = sandbox.total_calls, hits(gateway)
        foreign = await gateway.query(DOCUMENTS[document], token=gateway.api_access_token)
        assert hits(gateway) == served
    assert_refused(owner, foreign)
    assert sandbox.total_calls > calls  # asked upstream, with its own credential


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("document", DOCUMENTS)
async def test_another_user_of_the_same_org_has_a_scope_of_its_own(
    gateway_factory: GatewayFactory, layer: str, document: str
) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(**LAYERS[layer]), sandbox) as gateway:
        owner = await warm(gateway, DOCUMENTS[document])
        calls, served = sandbox.total_calls, hits(gateway)
        colleague = await gateway.query(DOCUMENTS[document], token=sandbox.data.orgs[RAW_DATA_ORG_ID].second_token)
        assert hits(gateway) == served
    assert colleague["data"] == owner["data"]  # allowed to see it: the same answer
    assert sandbox.total_calls > calls  # but fetched with the colleague's own credential


async def test_the_decoded_design_is_not_decoded_for_a_foreign_tenant(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(sandbox_settings(GATEWAY_RESPONSE_CACHE=False)) as gateway:
        owner = await warm(gateway, DOCUMENTS["decoded design"])
        decoded = gateway.runtime.upstreams.designs.decoded
        foreign = await gateway.query(DOCUMENTS["decoded design"], token=gateway.api_access_token)
        assert gateway.runtime.upstreams.designs.decoded == decoded == 1
    assert_refused(owner, foreign)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[Gateway, Gateway]]:
    client = aioredis.Redis.from_url(redis_url)
    await client.flushall()
    await client.aclose()
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_CACHE_URL=redis_url)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_gateway(settings, sandbox))
        second = await stack.enter_async_context(running_gateway(settings, sandbox))
        yield first, second


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_redis_response_cache_keeps_tenants_apart(replicas: tuple[Gateway, Gateway], document: str) -> None:
    first, second = replicas
    owner = await first.query(DOCUMENTS[document], token=first.raw_token)
    assert "errors" not in owner and len(leaves(owner["data"])) >= 2
    shared = await second.query(DOCUMENTS[document], token=second.raw_token)
    assert shared == owner and hits(second) == 1  # the owner's entry is in Redis, for the owner
    calls = second.sandbox.total_calls
    foreign = await second.query(DOCUMENTS[document], token=second.api_access_token)
    assert hits(second) == 1
    assert_refused(owner, foreign)
    assert second.sandbox.total_calls > calls


async def test_each_tenant_lists_its_own_org_and_only_that(gateway: Gateway) -> None:
    lists = '{ org(id: "%d") { projects(first: 5) { nodes { databaseId } } } }'
    orgs = gateway.sandbox.data.orgs

    def ids(result: dict[str, Any]) -> set[int]:
        nodes = (((result.get("data") or {}).get("org") or {}).get("projects") or {}).get("nodes") or []
        return {node["databaseId"] for node in nodes}

    raw = ids(await gateway.query(lists % RAW_DATA_ORG_ID, token=gateway.raw_token))
    api = ids(await gateway.query(lists % API_ACCESS_ORG_ID, token=gateway.api_access_token))
    assert len(raw) == 5 and raw <= set(orgs[RAW_DATA_ORG_ID].project_ids)
    assert len(api) == 5 and api <= set(orgs[API_ACCESS_ORG_ID].project_ids)
    assert not raw & api
    for org_id, token in ((RAW_DATA_ORG_ID, gateway.api_access_token), (API_ACCESS_ORG_ID, gateway.raw_token)):
        crossed = await gateway.query(lists % org_id, token=token)  # the other's list, warm in every cache
        assert errors_by_code(crossed).keys() == {"FORBIDDEN"} and ids(crossed) == set()
