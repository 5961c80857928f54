"""The front door (issue 10): every way into execution passes the same checks, attacked over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from typing import Any

import httpx
import pytest
import redis
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.app import create_app
from gateway.http.auth import hash_api_key
from gateway.sandbox import RAW_DATA_ORG_ID, sandbox_token
from gateway.settings import Settings
from tests.conftest import Gateway, GatewayFactory, running_gateway, sandbox_settings
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

RAW = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}")
KEY = "front-door-key"
ALIASED_PROJECTS = "{ org { " + " ".join(f'p{n}: project(id: "{3001 + n % 5}") {{ title }}' for n in range(30)) + " } }"
INCENTIVES = '{ incentives(zipCode: "94103") { totalCount } }'


def production(sandbox_url: str, **extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "OPENSOLAR_BASE_URL": sandbox_url,
            "ARCADIA_BASE_URL": sandbox_url,
            "OPENSOLAR_TOKEN": RAW,
            "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
            "ARCADIA_APP_ID": "sandbox-app-id",
            "ARCADIA_APP_KEY": "sandbox-app-key",
            "GATEWAY_API_KEYS": hash_api_key(KEY),
            **extra,
        }
    )


async def routes(sandbox_url: str) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        found: dict[str, int] = (await client.get(f"{sandbox_url}/_sandbox/stats")).json()["routes"]
        return found


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


async def post(gateway: Gateway, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return await gateway.client.post(
        "/graphql", content=json.dumps(body), headers={"content-type": "application/json", **(headers or {})}
    )


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


def apq(query: str | None, digest: str) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# rows 2 and 7: made-up tokens


async def test_made_up_tokens_cost_one_upstream_call_each_and_no_org_budget(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url)) as gateway:
        before = await routes(sandbox_url)
        for n in range(20):
            headers = {"Authorization": f"Bearer made-up-{n}"}
            for query in (ALIASED_PROJECTS, INCENTIVES, ALIASED_PROJECTS):  # the second time: refused at the door
                response = await post(gateway, {"query": query}, headers)
                assert response.status_code == 401 and code_of(response) == "UNAUTHENTICATED"
        spent = delta(before, await routes(sandbox_url))
        assert spent == {"opensolar.fetch_token": 20}  # no project call, no Arcadia call: one question per token
        assert gateway.runtime.front_door.authenticator.refused_count() == 20
        # the org's budget is untouched: its real user is served
        real = await gateway.query('{ org { project(id: "3001") { title } } }', token=RAW)
        assert real["data"]["org"]["project"]["title"], real


async def test_a_verified_token_is_asked_about_once(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url)) as gateway:
        before = await routes(sandbox_url)
        for _ in range(3):
            assert (await gateway.query("{ org { name } }", token=RAW))["data"]["org"]["name"]
        assert delta(before, await routes(sandbox_url)).get("opensolar.fetch_token") == 1


# row 3: header size


async def test_oversized_headers_are_refused_with_a_code_before_anything_else(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url)) as gateway:
        before = await routes(sandbox_url)
        exactly = await post(gateway, {"query": "{ org { name } }"}, {"Authorization": "Bearer " + "x" * (8192 - 20)})
        for size in (8192, 4 * 1024 * 1024):
            response = await post(gateway, {"query": "{ org { name } }"}, {"Authorization": "Bearer " + "x" * size})
            assert response.status_code == 431 and code_of(response) == "HEADER_TOO_LARGE"
        other = await post(gateway, {"query": "{ org { name } }"}, {"X-Anything": "y" * 9000, "X-API-Key": KEY})
        assert other.status_code == 431 and code_of(other) == "HEADER_TOO_LARGE"
        assert delta(before, await routes(sandbox_url)) == {"opensolar.fetch_token": 1}  # only the one under the cap
    assert exactly.status_code == 401 and code_of(exactly) == "UNAUTHENTICATED"


async def test_distinct_maximal_bogus_tokens_leave_bounded_memos(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url, GATEWAY_TOKEN_REFUSED_TTL_S=600)) as gateway:
        authenticator = gateway.runtime.front_door.authenticator
        authenticator.refused_max_entries = 100
        for n in range(300):
            token = f"{n:05d}" + "x" * (8192 - 40)
            response = await post(gateway, {"query": "{ org { name } }"}, {"Authorization": f"Bearer {token}"})
            assert response.status_code == 401
        # refusals are 16-byte fingerprints, bounded in count; the credential memo holds no refusal
        assert authenticator.refused_count() == 100 and authenticator.memo_count() == 0
        assert all(len(key) == 16 for key in authenticator._refused)
        assert authenticator.memo_bytes == 0


# rows 5 and 12: persisted documents


async def test_documents_over_the_limits_are_never_stored_and_get_applies_the_token_limit(gateway: Gateway) -> None:
    flood = "{ org { " + "name " * 3000 + "} }"
    registered = await post(gateway, apq(flood, sha(flood)))
    assert code_of(registered) == "MAX_TOKENS_EXCEEDED"
    for invalid in (
        "{ org { nme } }",
        "{ org { " + "projects { nodes { contacts { projects { nodes { " * 3 + "id" + " } } } }" * 3 + " } }",
    ):
        assert code_of(await post(gateway, apq(invalid, sha(invalid)))) != "PERSISTED_QUERY_NOT_FOUND"
    params = {"extensions": json.dumps(apq(None, sha(flood))["extensions"])}
    by_get = await gateway.client.get("/graphql", params=params)
    assert by_get.status_code == 200 and code_of(by_get) == "PERSISTED_QUERY_NOT_FOUND"
    assert code_of(await post(gateway, apq(None, sha("{ org { nme } }")))) == "PERSISTED_QUERY_NOT_FOUND"
    assert gateway.runtime.front_door.documents.stats["registered"] == 0
    assert gateway.sandbox.total_calls == 0


async def test_stored_documents_are_bounded_per_credential(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(sandbox_settings(GATEWAY_APQ_PER_CREDENTIAL="3/day")) as gateway:
        documents = [f"query Q{n} {{ __typename }}" for n in range(5)]
        for document in documents:
            assert (await post(gateway, apq(document, sha(document)))).json()["data"] == {"__typename": "Query"}
        found = ["errors" not in (await post(gateway, apq(None, sha(document)))).json() for document in documents]
        large = "query Large { __typename" + " " * 17_000 + "}"
        assert "errors" not in (await post(gateway, apq(large, sha(large)))).json()
    assert found == [True, True, True, False, False]
    assert gateway.runtime.front_door.documents.stats["too_large"] == 1


async def test_a_registered_document_runs_by_get_with_vary_and_private_caching(gateway: Gateway) -> None:
    query = "{ org { name } }"
    await post(gateway, apq(query, sha(query)))
    params = {"extensions": json.dumps(apq(None, sha(query))["extensions"])}
    for _ in range(2):  # executed and stored, then served from the response cache
        response = await gateway.client.get("/graphql", params=params)
        assert response.json()["data"]["org"]["name"]
        assert response.headers["cache-control"].startswith("private")
        assert "authorization" in response.headers["vary"].lower()


# issue 15: the hash is verified before any cache answers


async def test_a_wrong_hash_never_gets_cached_data(gateway: Gateway) -> None:
    query = "{ org { name } }"
    assert (await post(gateway, {"query": query})).json()["data"]["org"]["name"]
    assert (await post(gateway, {"query": query})).json()["data"]["org"]["name"]  # now in the response cache
    wrong = await post(gateway, apq(query, "0" * 64))
    assert wrong.status_code == 400 and code_of(wrong) == "PERSISTED_QUERY_HASH_MISMATCH"
    short = await post(gateway, apq(query, "abc"))
    assert short.status_code == 400 and code_of(short) == "PERSISTED_QUERY_INVALID"


# row 6: only the bare IDE page without a credential


async def test_only_the_bare_graphiql_page_is_served_without_a_credential(sandbox_url: str) -> None:
    query = "{ org { name } }"
    extensions = json.dumps(apq(None, sha(query))["extensions"])
    async with running_gateway(production(sandbox_url, GATEWAY_GRAPHIQL=True)) as gateway:
        registered = await post(gateway, apq(query, sha(query)), {"X-API-Key": KEY})
        assert registered.json()["data"]["org"]["name"]
        before = await routes(sandbox_url)
        html = {"Accept": "text/html"}
        page = await gateway.client.get("/graphql", headers=html)
        sneaky = await gateway.client.get("/graphql", params={"extensions": extensions}, headers=html)
        sneaky_name = await gateway.client.get("/graphql", params={"operationName": "x"}, headers=html)
        assert delta(before, await routes(sandbox_url)) == {}
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert sneaky.status_code == 401 and code_of(sneaky) == "UNAUTHENTICATED"
    assert sneaky_name.status_code == 401


# lesser rows: media types


@pytest.mark.parametrize("content_type", ["text/plain; charset=json", "application/x-www-form-urlencoded", ""])
async def test_only_json_media_types_are_parsed(gateway: Gateway, content_type: str) -> None:
    response = await gateway.client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": content_type}
    )
    assert response.status_code == 415 and code_of(response) == "UNSUPPORTED_MEDIA_TYPE"


async def test_graphql_response_json_bodies_are_parsed(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/graphql-response+json; charset=utf-8"},
    )
    assert response.json()["data"] == {"__typename": "Query"}


# issue 11: every error coded


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"query": None},
        {"query": 5},
        {"query": ""},
        {"query": "{ __typename }", "variables": "x"},
        {"query": "{ __typename }", "variables": [1]},
        {"query": "{ __typename }", "extensions": "x"},
        {"query": "{ __typename }", "operationName": 5},
        {"query": "query A { __typename }", "operationName": "B"},
    ],
)
async def test_malformed_requests_get_coded_json_errors(gateway: Gateway, body: dict[str, Any]) -> None:
    response = await post(gateway, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert code_of(response) == "INVALID_GRAPHQL_REQUEST"


async def test_other_methods_get_a_coded_405(gateway: Gateway) -> None:
    response = await gateway.client.put("/graphql", content=b"{}")
    assert response.status_code == 405 and code_of(response) == "METHOD_NOT_ALLOWED"


def depth_document(depth: int) -> str:
    """``org { contact(id) { projects { contacts ... { id } } } }``: its leaf at ``depth`` (root fields are 0)."""
    chain = ["org", 'contact(id: "5001")'] + ["projects", "contacts"] * depth
    fields = [*chain[:depth], "id"]
    return "{ " + " { ".join(fields) + " }" * (len(fields) - 1) + " }"


async def test_depth_limit_is_exact(gateway: Gateway) -> None:
    at_limit = await post(gateway, {"query": depth_document(12)})
    past = await post(gateway, {"query": depth_document(13)})
    # (both are also too costly: the depth rule reports first, so a changed limit changes the first code)
    assert "MAX_DEPTH_EXCEEDED" not in {e["extensions"]["code"] for e in at_limit.json()["errors"]}
    assert code_of(past) == "MAX_DEPTH_EXCEEDED"


def token_document(tokens: int) -> str:
    """``{ __typename #c #c ... }``: the lexer counts comments as tokens too."""
    return "{ __typename " + "#c\n" * (tokens - 3) + "}"


async def test_token_limit_is_exact(gateway: Gateway) -> None:
    at_limit = await post(gateway, {"query": token_document(2000)})
    past = await post(gateway, {"query": token_document(2001)})
    assert at_limit.json()["data"] == {"__typename": "Query"}, at_limit.text
    assert code_of(past) == "MAX_TOKENS_EXCEEDED"


# row 2: the inbound rate per principal


async def test_each_principal_has_an_inbound_rate(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(sandbox_settings(GATEWAY_RATE_LIMIT="3/minute")) as gateway:
        alice = {"Authorization": "Bearer alice"}
        answers = [await post(gateway, {"query": "{ __typename }"}, alice) for _ in range(4)]
        bob = await post(gateway, {"query": "{ __typename }"}, {"Authorization": "Bearer bob"})
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    throttled = answers[-1].json()["errors"][0]["extensions"]
    assert throttled["code"] == "THROTTLED" and 0 < throttled["retryAfter"] <= 60
    assert answers[-1].headers["retry-after"] == str(throttled["retryAfter"])
    assert bob.status_code == 200


# row 9: persisted queries through a Redis outage


async def test_persisted_queries_survive_a_redis_outage(
    gateway_factory: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    query, other = "query Before { __typename }", "query During { __typename }"
    with redis_server() as url:
        settings = sandbox_settings(GATEWAY_CACHE_URL=url, GATEWAY_RATE_LIMIT="100/minute")
        async with gateway_factory(settings) as gateway:
            assert (await post(gateway, apq(query, sha(query)))).json()["data"]
            assert (await post(gateway, apq(None, sha(query)))).json()["data"]  # from Redis
            with contextlib.suppress(redis.ConnectionError):
                redis.Redis.from_url(url).shutdown(nosave=True)  # Redis goes away mid-test
            extensions = json.dumps(apq(None, sha(other))["extensions"])
            answers = [
                await post(gateway, apq(None, sha(query))),  # stored in Redis only: not found, the client resends
                await post(gateway, apq(query, sha(query))),
                await post(gateway, apq(other, sha(other))),  # kept in this process meanwhile
                await post(gateway, apq(None, sha(other))),
                await gateway.client.get("/graphql", params={"extensions": extensions}),
            ]
            metrics = (await gateway.client.get("/metrics")).text
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    assert code_of(answers[0]) == "PERSISTED_QUERY_NOT_FOUND"
    assert [a.json().get("data") for a in answers[1:]] == [{"__typename": "Query"}] * 4
    assert gateway.runtime.front_door.documents.stats["store_errors"] > 0
    assert 'gateway_front_door_events_total{event="persisted_store_errors"}' in metrics
    assert any("persisted queries" in record.message for record in caplog.records)


# websockets: the same door


def test_websockets_pass_the_same_door(sandbox_url: str) -> None:
    settings = production(sandbox_url, GATEWAY_RATE_LIMIT="4/minute")
    before = asyncio.run(routes(sandbox_url))
    with TestClient(create_app(settings)) as client:

        def connect(payload: dict[str, str], headers: dict[str, str] | None = None) -> str:
            try:
                with client.websocket_connect("/graphql", ["graphql-transport-ws"], headers=headers or {}) as ws:
                    ws.send_json({"type": "connection_init", "payload": payload})
                    return str(ws.receive_json()["type"])
            except WebSocketDisconnect as closed:
                return f"closed {closed.code}"

        made_up = [connect({"Authorization": "Bearer made-up"}) for _ in range(3)]
        in_header = connect({}, {"Authorization": "Bearer made-up-too"})
        oversized = connect({}, {"X-Anything": "y" * 9000})
        real = [connect({"Authorization": f"Bearer {RAW}"}) for _ in range(5)]
    assert made_up == ["closed 4403"] * 3 and in_header.startswith("closed")
    assert oversized.startswith("closed")
    assert real == ["connection_ack"] * 4 + ["closed 4403"]  # the principal's rate: 4 a minute
    spent = delta(before, asyncio.run(routes(sandbox_url)))
    assert spent == {"opensolar.fetch_token": 3}  # made-up, made-up-too, RAW: once each


def test_each_operation_over_a_websocket_spends_the_principals_rate(sandbox_url: str) -> None:
    # 4 a minute: the connection spends one, so three operations fit and the fourth is THROTTLED
    settings = production(sandbox_url, GATEWAY_RATE_LIMIT="4/minute")
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", ["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {RAW}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        answers = []
        for n in range(1, 5):
            ws.send_json({"id": str(n), "type": "subscribe", "payload": {"query": "{ __typename }"}})
            answers.append(ws.receive_json())
            if answers[-1]["type"] == "next":
                assert ws.receive_json() == {"id": str(n), "type": "complete"}
    assert [a["type"] for a in answers] == ["next", "next", "next", "error"], answers
    assert answers[-1]["payload"][0]["extensions"]["code"] == "THROTTLED"
    assert answers[-1]["payload"][0]["extensions"]["retryAfter"] > 0


def test_each_start_over_the_older_graphql_ws_protocol_spends_the_rate_too(sandbox_url: str) -> None:
    settings = production(sandbox_url, GATEWAY_RATE_LIMIT="2/minute")  # the connection, then one start
    with TestClient(create_app(settings)) as client, client.websocket_connect("/graphql", ["graphql-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {RAW}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "start", "payload": {"query": "{ __typename }"}})
        first = ws.receive_json()  # this protocol runs subscriptions only: refused, but past the rate
        assert first["payload"]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", first
        ws.send_json({"id": "2", "type": "start", "payload": {"query": "{ __typename }"}})
        second = ws.receive_json()
    assert second["type"] == "error" and second["id"] == "2", second
    assert second["payload"]["extensions"]["code"] == "THROTTLED"


# the GraphQL spec's GetOperation: several operations and no operationName is a request error

TWO_OPERATIONS = "query First { __typename } query Second { org { name } }"


async def test_a_document_with_several_operations_runs_only_the_one_named(gateway: Gateway) -> None:
    unnamed = await post(gateway, {"query": TWO_OPERATIONS})
    assert code_of(unnamed) == "OPERATION_NAME_REQUIRED" and unnamed.json()["data"] is None
    assert "First, Second" in unnamed.json()["errors"][0]["message"]
    registered = await post(gateway, apq(TWO_OPERATIONS, sha(TWO_OPERATIONS)))
    assert code_of(registered) == "OPERATION_NAME_REQUIRED"
    assert gateway.runtime.front_door.documents.stats["registered"] == 0  # refused: never persisted
    assert gateway.sandbox.total_calls == 0  # nothing ran
    second = await post(gateway, {"query": TWO_OPERATIONS, "operationName": "Second"})
    assert second.json() == {"data": {"org": {"name": second.json()["data"]["org"]["name"]}}}
    assert (await post(gateway, {"query": "{ __typename }"})).json() == {"data": {"__typename": "Query"}}
    one_named = await post(gateway, {"query": "query Only { __typename }"})  # one operation: no name needed
    assert one_named.json() == {"data": {"__typename": "Query"}}


def test_over_a_websocket_too_a_document_with_several_operations_needs_a_name(sandbox_url: str) -> None:
    with (
        TestClient(create_app(production(sandbox_url))) as client,
        client.websocket_connect("/graphql", ["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {RAW}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": TWO_OPERATIONS}})
        refused = ws.receive_json()
        named = {"query": TWO_OPERATIONS, "operationName": "First"}
        ws.send_json({"id": "2", "type": "subscribe", "payload": named})
        answered = ws.receive_json()
    assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "OPERATION_NAME_REQUIRED"
    assert answered == {"id": "2", "type": "next", "payload": {"data": {"__typename": "Query"}}}
