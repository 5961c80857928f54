"""Request errors under both JSON media types: variables that do not coerce, documents that do not parse or validate."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.media import GRAPHQL_RESPONSE_JSON, JSON, media_type
from tests.conftest import sandbox_settings

pytestmark = pytest.mark.integration

PROJECT = "query P($id: ID!) { org { project(id: $id) { title } } }"
PAGE = "query P($first: Int) { org { projects(first: $first) { nodes { id } } } }"
FILES = "query F($o: PrivateFileOrdering) { org { privateFiles(ordering: $o) { __typename } } }"
BAD_VARIABLES = [
    pytest.param(PROJECT, {"id": True}, id="bool-for-ID"),
    pytest.param(PROJECT, {}, id="missing"),
    pytest.param(PROJECT, {"id": None}, id="null-for-non-null"),
    pytest.param(PAGE, {"first": "abc"}, id="string-for-Int"),
    pytest.param(FILES, {"o": "NOT_AN_ORDERING"}, id="unknown-enum-value"),
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(sandbox_settings())) as client:
        yield client


def post(client: TestClient, accept: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    return client.post("/graphql", json={"query": query, "variables": variables}, headers={"Accept": accept})


@pytest.mark.parametrize(("query", "variables"), BAD_VARIABLES)
def test_a_bad_variable_is_the_callers_error_with_a_stable_code(
    client: TestClient, caplog: pytest.LogCaptureFixture, query: str, variables: dict[str, Any]
) -> None:
    with caplog.at_level(logging.INFO):
        new = post(client, GRAPHQL_RESPONSE_JSON, query, variables)
        legacy = post(client, JSON, query, variables)
    assert new.status_code == 400 and new.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert "data" not in new.json()
    assert legacy.status_code == 200 and legacy.headers["content-type"] == JSON
    assert legacy.json()["data"] is None
    for answer in (new.json(), legacy.json()):
        [error] = answer["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT"} and error["message"].startswith("Variable '$")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]  # no traceback


@pytest.mark.parametrize(
    ("query", "code"),
    [("{ org { name } ", "GRAPHQL_PARSE_FAILED"), ("{ org { nme } }", "GRAPHQL_VALIDATION_FAILED")],
)
def test_documents_that_do_not_parse_or_validate(client: TestClient, query: str, code: str) -> None:
    new = post(client, GRAPHQL_RESPONSE_JSON, query)
    assert new.status_code == 400 and new.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert "data" not in new.json() and new.json()["errors"][0]["extensions"]["code"] == code
    legacy = post(client, JSON, query)  # unchanged: 200 with data null
    assert legacy.status_code == 200 and legacy.headers["content-type"] == JSON
    assert legacy.json()["data"] is None and legacy.json()["errors"][0]["extensions"]["code"] == code


def test_a_good_answer_is_sent_in_the_accepted_type_from_the_response_cache_too(client: TestClient) -> None:
    for _ in range(2):  # executed, then a response-cache hit
        new = post(client, GRAPHQL_RESPONSE_JSON, PROJECT, {"id": "3001"})
        assert new.status_code == 200 and new.headers["content-type"] == GRAPHQL_RESPONSE_JSON
        assert new.json()["data"]["org"]["project"]["title"]
        legacy = post(client, "*/*", PROJECT, {"id": "3001"})
        assert legacy.headers["content-type"] == JSON and legacy.content == new.content


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON};q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"{JSON}, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0", JSON),
    ],
)
def test_media_type_negotiation(accept: str, expected: str) -> None:
    assert media_type(accept) == expected
