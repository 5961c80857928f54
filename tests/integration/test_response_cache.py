"""The operation response cache: bytes served without execution, per caller, tagged, with HTTP caching."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import orjson
import pytest

from gateway.http.gate import GraphQLGate
from gateway.http.webhooks import org_secret
from gateway.sandbox import RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState
from schema.operations import load_operations
from tests.clock import FakeClock, use_clock
from tests.conftest import Gateway, GatewayFactory, sandbox_settings

pytestmark = pytest.mark.integration

SECRET = "response-cache-secret"
PORTFOLIO = load_operations()["Portfolio"]
PROJECT = '{ org { project(id: "3001") { title county systems { kwStc } } } }'


async def post(gateway: Gateway, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return await gateway.client.post("/graphql", json=body, headers=headers or {})


def stats(gateway: Gateway) -> Any:
    assert gateway.runtime.caches.responses is not None
    return gateway.runtime.caches.responses.stats


async def test_a_hit_returns_the_stored_bytes_without_executing(gateway: Gateway, executions: list[int]) -> None:
    first = await post(gateway, {"query": PROJECT})
    calls = gateway.sandbox.total_calls
    executions[0] = 0
    second = await post(gateway, {"query": PROJECT})
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert executions[0] == 0  # nothing was parsed, validated or executed: no context was ever built
    assert gateway.sandbox.total_calls == calls and stats(gateway)["hits"] == 1


async def test_different_callers_never_share_a_response(gateway: Gateway) -> None:
    await post(gateway, {"query": PROJECT})
    second_user = gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].second_token
    await post(gateway, {"query": PROJECT}, {"Authorization": f"Bearer {second_user}"})
    assert stats(gateway)["hits"] == 0 and stats(gateway)["stores"] == 2


async def test_responses_with_errors_are_not_stored(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="opensolar.proposal", status=404))
    query = '{ org { name project(id: "3001") { proposal { projectId } } } }'
    await post(gateway, {"query": query})
    await post(gateway, {"query": query})
    assert stats(gateway)["stores"] == 0 and gateway.sandbox.counts["opensolar.proposal"] == 2


async def test_an_uncacheable_part_keeps_the_response_out(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(sandbox_settings(GATEWAY_CACHE_TTLS={"proposal": 0})) as gateway:
        query = '{ org { name project(id: "3001") { proposal { projectId } } } }'
        await post(gateway, {"query": query})
        await post(gateway, {"query": query})
        assert stats(gateway)["stores"] == 0


async def test_stale_parts_keep_the_response_out(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_CACHE_TTLS={"project": 1.0, "systems": 1.0}, GATEWAY_RETRY_ATTEMPTS=1)
    async with gateway_factory(settings, sandbox) as gateway:
        use_clock(gateway.runtime, clock := FakeClock())
        await post(gateway, {"query": PROJECT})
        clock.advance(1.5)
        sandbox.faults.append(Fault(route="opensolar.*", status=503))
        stale = await post(gateway, {"query": PROJECT})
        assert stale.json()["extensions"]["stale"]
        assert stats(gateway)["stores"] == 1  # only the first, fresh response


async def test_mutations_are_never_cached(gateway: Gateway) -> None:
    for _ in range(2):
        await post(gateway, {"query": 'mutation { disableWebhook(id: "701") { enabled } }'})
    assert gateway.sandbox.counts["opensolar.webhook_update"] == 2 and stats(gateway)["stores"] == 0


async def test_the_ttl_is_the_smallest_of_what_it_read(gateway: Gateway) -> None:
    query = "{ org { name webhooks { nodes { id } } } }"  # org 3600 s, webhooks 30 s
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    await post(gateway, {"query": query, "extensions": extensions})
    response = await gateway.client.get("/graphql", params={"extensions": orjson.dumps(extensions).decode()})
    assert response.status_code == 200 and response.json()["data"]["org"]["name"]
    max_age = int(response.headers["cache-control"].split("max-age=")[1])
    assert response.headers["cache-control"].startswith("private") and 25 <= max_age <= 30


async def test_etag_and_304(gateway: Gateway) -> None:
    first = await post(gateway, {"query": PROJECT})
    etag = first.headers["etag"]
    not_modified = await post(gateway, {"query": PROJECT}, {"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified.headers["etag"] == etag
    changed = await post(gateway, {"query": PROJECT}, {"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content


async def test_persisted_queries_over_get(gateway: Gateway) -> None:
    query = "query Named($id: ID!) { org { project(id: $id) { title } } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = orjson.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}}).decode()
    variables = orjson.dumps({"id": "3001"}).decode()
    unknown = await gateway.client.get("/graphql", params={"extensions": extensions, "variables": variables})
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    await post(
        gateway,
        {
            "query": query,
            "variables": {"id": "3001"},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
        },
    )
    first = await gateway.client.get("/graphql", params={"extensions": extensions, "variables": variables})
    assert first.json()["data"]["org"]["project"]["title"] and "max-age=" in first.headers["cache-control"]
    again = await gateway.client.get(
        "/graphql",
        params={"extensions": extensions, "variables": variables},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    mutation = 'mutation { disableWebhook(id: "701") { enabled } }'
    mutation_hash = hashlib.sha256(mutation.encode()).hexdigest()
    await post(
        gateway, {"query": mutation, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": mutation_hash}}}
    )
    over_get = await gateway.client.get(
        "/graphql",
        params={"extensions": orjson.dumps({"persistedQuery": {"version": 1, "sha256Hash": mutation_hash}}).decode()},
    )
    assert over_get.status_code == 405  # a mutation never runs over GET


async def test_tag_eviction_is_precise(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET), sandbox) as gateway:
        await post(gateway, {"query": PORTFOLIO})  # the first 50 projects: 3001..3050
        await post(gateway, {"query": PORTFOLIO})
        assert stats(gateway)["hits"] == 1

        async def webhook(project_id: int) -> None:
            response = await gateway.client.post(
                f"/webhooks/opensolar/{RAW_DATA_ORG_ID}",
                headers={"X-Solar-Gateway-Secret": org_secret(SECRET, RAW_DATA_ORG_ID)},
                json={"model": "Project", "model_id": project_id, "event": "UPDATE"},
            )
            assert response.status_code == 200

        await webhook(3100)  # not in the portfolio's page
        await post(gateway, {"query": PORTFOLIO})
        assert stats(gateway)["hits"] == 2
        await webhook(3010)  # one of its projects
        calls = sandbox.total_calls
        await post(gateway, {"query": PORTFOLIO})
        assert stats(gateway)["hits"] == 2 and sandbox.total_calls > calls  # evicted and rebuilt
        await post(gateway, {"query": PORTFOLIO})
        assert stats(gateway)["hits"] == 3


async def test_a_repeated_body_is_not_parsed_again(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = 0
    original = GraphQLGate._post_request

    def counting(body: bytes, if_none_match: str | None, principal: Any) -> Any:
        nonlocal parsed
        parsed += 1
        return original(body, if_none_match, principal)

    monkeypatch.setattr(GraphQLGate, "_post_request", staticmethod(counting))
    body = orjson.dumps({"query": PROJECT})
    headers = {"content-type": "application/json"}
    first = await gateway.client.post("/graphql", content=body, headers=headers)
    second = await gateway.client.post("/graphql", content=body, headers=headers)
    assert parsed == 1 and second.content == first.content and stats(gateway)["hits"] == 1
    # the same request spelled differently is parsed, and still finds the same stored response
    respelled = orjson.dumps({"operationName": None, "query": PROJECT})
    spaced = await gateway.client.post("/graphql", content=respelled, headers=headers)
    assert parsed == 2 and spaced.content == first.content and stats(gateway)["hits"] == 2
    # another caller's identical body is looked up under that caller's key: never this response
    second_user = gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].second_token
    other = {**headers, "Authorization": f"Bearer {second_user}"}
    await gateway.client.post("/graphql", content=body, headers=other)
    assert stats(gateway)["hits"] == 2 and stats(gateway)["stores"] == 2


async def test_concurrent_identical_misses_execute_once(gateway_factory: GatewayFactory, executions: list[int]) -> None:
    async with gateway_factory(sandbox=SandboxState(SandboxConfig(latency_ms=30))) as gateway:
        answers = await asyncio.gather(*(post(gateway, {"query": PROJECT}) for _ in range(6)))
        assert executions[0] == 1 and {a.content for a in answers} == {answers[0].content}
        assert stats(gateway)["stores"] == 1  # the others are sent the stored answer (gateway/http/coalesce.py)
        # an answer that is not stored (it has errors) is shared too: one execution, each its own coded error
        failing = '{ org { project(id: "999999") { title } } }'
        answers = await asyncio.gather(*(post(gateway, {"query": failing}) for _ in range(3)))
        assert executions[0] == 2 and stats(gateway)["stores"] == 1
        assert all(a.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND" for a in answers)
