"""What a stored response is found by: a document's hash, or None where it must not come from the cache."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from gateway.response_cache.keys import document_hash, request_digest

QUERY = "{ org { name } }"
OF_QUERY = hashlib.sha256(QUERY.encode()).hexdigest()


def persisted(sha: Any, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha}}


def test_the_query_text_is_hashed() -> None:
    assert document_hash({"query": QUERY}) == OF_QUERY


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"extensions": persisted(OF_QUERY)}, OF_QUERY),  # a hash alone: 64 characters
        ({"extensions": persisted(OF_QUERY.upper())}, OF_QUERY),  # any case, one key
        ({"extensions": persisted(OF_QUERY[:63])}, None),  # one short
        ({"extensions": persisted(OF_QUERY + "0")}, None),  # one long
        ({"extensions": persisted(64)}, None),  # not a string
        ({"extensions": persisted(None)}, None),
        ({"extensions": persisted(OF_QUERY, version=2)}, None),  # an unknown version
        ({"extensions": {"persistedQuery": "x"}}, None),
        ({"query": QUERY, "extensions": persisted(OF_QUERY)}, OF_QUERY),  # hash and text agree
        ({"query": QUERY, "extensions": persisted("0" * 64)}, None),  # they disagree
        ({"query": "{ org { name ... @defer { id } } }"}, None),  # streams in parts, never stored
        ({}, None),
        ({"query": ""}, None),
    ],
)
def test_only_a_well_formed_request_has_a_hash(payload: dict[str, Any], expected: str | None) -> None:
    assert document_hash(payload) == expected


def test_the_request_digest_ignores_variable_order_and_tells_operations_apart() -> None:
    one = request_digest(OF_QUERY, "A", {"a": 1, "b": 2})
    assert one == request_digest(OF_QUERY, "A", {"b": 2, "a": 1})
    assert one != request_digest(OF_QUERY, "B", {"a": 1, "b": 2})
    assert one != request_digest(OF_QUERY, "A", {"a": 1, "b": 3})
    assert request_digest(OF_QUERY, None, {}) == request_digest(OF_QUERY, "", {})
