"""Who gets in, and what gets rejected, each with a stable code and never an upstream call."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest

from gateway.http.auth import hash_api_key
from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, SandboxConfig, SandboxState, sandbox_token
from gateway.settings import Settings
from schema.operations import load_operations
from tests.conftest import Gateway, GatewayFactory, running_gateway, sandbox_settings

pytestmark = pytest.mark.integration

RAW = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}")
API = sandbox_token(f"api_access:{API_ACCESS_ORG_ID}")
KEY, OTHER_KEY = "key-for-partner-a", "key-for-partner-b"


def production(sandbox_url: str, **extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "OPENSOLAR_BASE_URL": sandbox_url,
            "ARCADIA_BASE_URL": sandbox_url,
            "OPENSOLAR_TOKEN": RAW,
            "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
            "ARCADIA_APP_ID": "sandbox-app-id",
            "ARCADIA_APP_KEY": "sandbox-app-key",
            "GATEWAY_API_KEYS": f"{hash_api_key(KEY)},sha256:{hash_api_key(OTHER_KEY)}",
            **extra,
        }
    )


async def calls(sandbox_url: str) -> int:
    async with httpx.AsyncClient() as client:
        total: int = (await client.get(f"{sandbox_url}/_sandbox/stats")).json()["total"]
        return total


async def post(gateway: Gateway, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return await gateway.client.post(
        "/graphql", content=json.dumps(body), headers={"content-type": "application/json", **(headers or {})}
    )


@pytest.mark.parametrize(
    "headers", [{}, {"X-API-Key": "not-a-key"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}]
)
async def test_anything_else_gets_401_before_any_upstream_call(sandbox_url: str, headers: dict[str, str]) -> None:
    before = await calls(sandbox_url)
    async with running_gateway(production(sandbox_url)) as gateway:
        response = await post(gateway, {"query": "{ org { name } }"}, headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await calls(sandbox_url) == before


async def test_api_keys_use_the_server_credential_and_share_its_cache_scope(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url)) as gateway:
        first = await gateway.query('{ org { project(id: "3007") { county } } }', headers={"X-API-Key": KEY})
        before = await calls(sandbox_url)
        second = await gateway.query('{ org { project(id: "3007") { county } } }', headers={"X-API-Key": OTHER_KEY})
        assert second == first and await calls(sandbox_url) == before  # same upstream identity: one scope
        # a pass-through caller of the same org is another identity upstream: its own scope, a miss
        second_user = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}:second-user")
        await gateway.query('{ org { project(id: "3007") { county } } }', token=second_user)
        assert await calls(sandbox_url) > before


async def test_pass_through_sees_exactly_what_the_token_sees(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url)) as gateway:
        own = await gateway.query('{ org(id: "%d") { name } }' % API_ACCESS_ORG_ID, token=API)
        other = await gateway.query("{ org { name } }", token=API)  # the default org is not this token's
    assert own["data"]["org"]["name"].startswith("Harbor Energy")
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_pass_through_can_be_turned_off(sandbox_url: str) -> None:
    async with running_gateway(production(sandbox_url, GATEWAY_PASS_THROUGH=False)) as gateway:
        response = await post(gateway, {"query": "{ org { name } }"}, {"Authorization": f"Bearer {RAW}"})
        assert response.status_code == 401
        assert (await gateway.query("{ org { name } }", headers={"X-API-Key": KEY}))["data"]["org"]["name"]


async def test_the_sandbox_is_open(gateway: Gateway) -> None:
    assert (await gateway.query("{ org { name } }"))["data"]["org"]["name"]


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_oversized_bodies_get_413(gateway: Gateway) -> None:
    big = {"query": "{ org { name } }", "variables": {"pad": "x" * 2_100_000}}
    response = await post(gateway, big)
    assert response.status_code == 413 and code_of(response) == "PAYLOAD_TOO_LARGE"

    async def chunks() -> Any:  # no Content-Length: refused while it streams in
        yield b'{"query": "{ org { name } }", "variables": {"pad": "'
        for _ in range(300):
            yield b"x" * 10_000
        yield b'"}}'

    streamed = await gateway.client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert gateway.sandbox.total_calls == 0


async def test_batches_are_refused(gateway: Gateway) -> None:
    response = await post(gateway, [{"query": "{ __typename }"}] * 10)
    assert response.status_code == 400 and code_of(response) == "BATCHING_DISABLED"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ org { " + "name " * 3000 + "} }", "MAX_TOKENS_EXCEEDED"),
        (
            '{ org { contact(id: "5001") { ' + "projects { contacts { " * 7 + "id" + " } }" * 7 + " } } }",
            "MAX_DEPTH_EXCEEDED",
        ),
        ("{ org { " + " ".join(f"a{n}: name" for n in range(31)) + " } }", "MAX_ALIASES_EXCEEDED"),
        ("{ " + " ".join(f"o{n}: org {{ id }}" for n in range(21)) + " }", "MAX_ROOT_FIELDS_EXCEEDED"),
        (
            "{ org { contacts(first: 100) { nodes { projects { incentives { market { zipCode } } "
            "proposal { hasBattery } systemDetails { id } systems { details { id } } } } } } }",
            "COST_LIMIT_EXCEEDED",
        ),
        ("{ org { nme } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ org { ", "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_hostile_documents_are_rejected_with_codes(gateway: Gateway, query: str, code: str) -> None:
    response = await post(gateway, {"query": query})
    assert response.status_code in {200, 400}
    assert code in {error["extensions"]["code"] for error in response.json()["errors"]}
    assert gateway.sandbox.total_calls == 0


async def test_cost_counts_upstream_calls_with_page_sizes(gateway: Gateway) -> None:
    query = (
        "{ org { projects(first: 100) { nodes { incentives { market { zipCode } } proposal { hasBattery } "
        "systemDetails { id } systems { details { id } } contacts { projects { systems { id } } } } } } }"
    )
    response = await post(gateway, {"query": query})
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["code"] == "COST_LIMIT_EXCEEDED" and extensions["cost"] > extensions["limit"] == 5000
    small = await post(gateway, {"query": query.replace("first: 100", "first: 5")})
    assert "errors" not in small.json() or small.json()["errors"][0]["extensions"]["code"] != "COST_LIMIT_EXCEEDED"


async def test_introspection_and_suggestions_are_off_outside_the_sandbox(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(sandbox_settings(GATEWAY_INTROSPECTION=False)) as gateway:
        introspection = await post(gateway, {"query": "{ __schema { types { name } } }"})
        typo = await post(gateway, {"query": "{ org { nme } }"})
    assert code_of(introspection) == "INTROSPECTION_DISABLED"
    assert "Did you mean" not in typo.text
    async with gateway_factory() as open_gateway:  # the sandbox enables both for exploring
        assert "errors" not in (await post(open_gateway, {"query": "{ __schema { queryType { name } } }"})).json()
        assert "Did you mean" in (await post(open_gateway, {"query": "{ org { nme } }"})).text


def apq(query: str | None, digest: str) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


async def test_automatic_persisted_queries(gateway: Gateway) -> None:
    query = "{ org { name } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    missing = await post(gateway, apq(None, digest))
    assert missing.status_code == 200 and code_of(missing) == "PERSISTED_QUERY_NOT_FOUND"
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    registered = await post(gateway, apq(query, digest))
    assert registered.json()["data"]["org"]["name"]
    by_hash = await post(gateway, apq(None, digest))
    assert by_hash.json() == registered.json()
    wrong = await post(gateway, apq("{ org { id } }", digest))
    assert wrong.status_code == 400 and code_of(wrong) == "PERSISTED_QUERY_HASH_MISMATCH"
    version = await post(gateway, {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest}}})
    assert code_of(version) == "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"


async def test_trusted_documents_mode_runs_only_the_named_operations(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(GATEWAY_TRUSTED_DOCUMENTS=True), sandbox) as gateway:
        other = await post(gateway, {"query": "{ org { name } }"})
        search = load_operations()["IncentiveSearch"]
        by_text = await post(gateway, {"query": search})
        by_hash = await post(gateway, apq(None, hashlib.sha256(search.encode()).hexdigest()))
        register = await post(gateway, apq("{ org { id } }", hashlib.sha256(b"{ org { id } }").hexdigest()))
    assert other.status_code == 400 and code_of(other) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert by_text.json()["data"]["incentives"]["totalCount"] > 0
    assert by_hash.json() == by_text.json()
    assert code_of(register) == "PERSISTED_QUERY_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"query": "{}"}', "GRAPHQL_VALIDATION_FAILED"),  # crashed strawberry's depth limiter (found by fuzzing)
        (b"null", "INVALID_GRAPHQL_REQUEST"),  # was a 500 (found by fuzzing)
        (b"\x80\x81 not utf-8", "INVALID_GRAPHQL_REQUEST"),  # was a 500 (found by fuzzing)
        (b'"just a string"', "INVALID_GRAPHQL_REQUEST"),
        (b"{not json", "INVALID_GRAPHQL_REQUEST"),
    ],
)
async def test_fuzzing_finds_stay_fixed(gateway: Gateway, content: bytes, code: str) -> None:
    response = await gateway.client.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert response.status_code in {200, 400}
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_operations_over_get_are_refused_with_a_code(gateway: Gateway) -> None:
    response = await gateway.client.get("/graphql", params={"query": "{ org { name } }"})
    assert response.status_code == 405 and code_of(response) == "METHOD_NOT_ALLOWED"
