"""Hypothesis-generated documents, variables and bodies: never a 500, never a hang, always a code."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Gateway
from tests.fuzz.checks import assert_coded

pytestmark = pytest.mark.integration

FIELDS = [
    "org",
    "name",
    "projects",
    "nodes",
    "edges",
    "node",
    "id",
    "title",
    "contacts",
    "systems",
    "design",
    "json",
    "proposal",
    "incentives",
    "market",
    "zipCode",
    "incentive",
    "__typename",
    "__schema",
    "types",
    "project",
    "systemDetails",
    "webhooks",
    "pageInfo",
    "hasNextPage",
    "kwStc",
    "estimate",
    "amount",
]
PUNCTUATION = [
    "{",
    "}",
    "(",
    ")",
    ":",
    "...",
    "@include(if: true)",
    "@skip(if: $v)",
    "$v",
    "!",
    "=",
    ",",
    "first: 5",
    "first: 1000",
    'id: "3001"',
    'id: "x"',
    'after: "bogus"',
    "query",
    "mutation",
    "subscription",
    "fragment F on Org",
    "...F",
    "on",
    "a:",
    "b:",
    '"str"',
    "123",
    "-1",
    "null",
]
tokens = st.lists(st.sampled_from(FIELDS + PUNCTUATION), max_size=60).map(" ".join)
documents = st.one_of(
    tokens,
    st.text(max_size=200),
    tokens.map(lambda t: "{ " + t + " }"),
    tokens.map(lambda t: "query Q($v: Boolean) { org { " + t + " } }"),
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # a def, not a lambda: hypothesis reads the source to check that `inner` is used
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    _containers,
    max_leaves=20,
)
# The plain-text 400s strawberry gives these, before any coded check of ours (see KNOWN_UNCODED_REASON).
UNCODED_BEFORE = [  # strawberry answered these with an uncoded text/plain 400 (issue 11 item 4)
    b"{}",
    b'{"query": null}',
    b'{"query": ""}',
    b'{"query": 5}',
    b'{"variables": "x"}',
    b'{"query": "{ org { name } }", "variables": "x"}',
    b'{"query": "{ org { name } }", "operationName": "x"}',
    b'{"query": "{ org { name } }", "extensions": 5}',
]


async def send(gateway: Gateway, payload: Any = None, raw: bytes | None = None) -> None:
    content = raw if raw is not None else json.dumps(payload).encode()
    async with asyncio.timeout(10):  # never a hang
        response = await gateway.client.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert_coded(response)


@pytest.mark.parametrize("raw", UNCODED_BEFORE)
async def test_every_rejected_body_has_a_coded_json_error(gateway: Gateway, raw: bytes) -> None:
    await send(gateway, raw=raw)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents, variables=st.one_of(st.none(), st.dictionaries(st.text(max_size=5), json_values)))
async def test_generated_documents_never_500_or_hang(gateway: Gateway, document: str, variables: Any) -> None:
    raw = json.dumps({"query": document, "variables": variables}).encode()
    await send(gateway, raw=raw)


bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"query": documents},
        optional={
            "variables": st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=4),
            "extensions": st.none() | st.dictionaries(st.sampled_from(["persistedQuery", "x"]), json_values),
            "operationName": st.none(),
            "x": json_values,
        },
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=bodies)
async def test_generated_json_bodies_never_500(gateway: Gateway, payload: Any) -> None:
    raw = json.dumps(payload).encode()
    await send(gateway, raw=raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
async def test_generated_raw_bodies_never_500(gateway: Gateway, raw: bytes) -> None:
    await send(gateway, raw=raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    project_id=st.text(max_size=30),
    first=st.integers(min_value=-(2**40), max_value=2**40),
    after=st.text(max_size=40),
    path=st.text(max_size=40),
)
async def test_generated_arguments_never_500(
    gateway: Gateway, project_id: str, first: int, after: str, path: str
) -> None:
    query = """query($id: ID!, $first: Int, $after: String, $path: String) { org {
        project(id: $id) { title design { json(path: $path) } }
        projects(first: $first, after: $after) { nodes { id } } } }"""
    await send(gateway, {"query": query, "variables": {"id": project_id, "first": first, "after": after, "path": path}})
