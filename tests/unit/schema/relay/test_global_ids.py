"""Global ids: one canonical text per node, Strawberry's GlobalID format, strict decoding, typed lookups."""

from __future__ import annotations

import base64

import pytest
from graphql import GraphQLInterfaceType
from strawberry.relay import GlobalID

from gateway.errors import BadRequestError
from schema import build_schema
from schema.node_lookup import READERS
from schema.relay.global_ids import KEY_PARTS, MAX_GLOBAL_ID_CHARS, decode, encode, org_of, upstream_id

PROJECT = encode("Project", 1001, 3001)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_the_format_is_strawberrys_global_id_with_the_org_in_the_key() -> None:
    assert b64("Project:1001:3001") == PROJECT
    parsed = GlobalID.from_id(PROJECT)
    assert (parsed.type_name, parsed.node_id) == ("Project", "1001:3001")
    assert decode(PROJECT, "id").key == (1001, 3001)


@pytest.mark.parametrize("type_name", sorted(KEY_PARTS))
def test_every_node_type_round_trips(type_name: str) -> None:
    key = tuple(range(7, 7 + KEY_PARTS[type_name]))
    found = decode(encode(type_name, *key), "id")
    assert (found.type_name, found.key, found.database_id) == (type_name, key, key[-1])


@pytest.mark.parametrize(
    "value",
    [
        "abc",  # not base64
        b64("Project:1001:3001").rstrip("="),  # unpadded
        b64("Project:1001:03001"),  # a leading zero: a second text for the same node
        b64("Project:1001"),  # too few parts for a project
        b64("Project:1001:3001:1"),  # too many
        b64("Org:-1"),
        b64("Org:1e3"),
        b64("Nope:1"),  # not a node type
        b64("Project:1001:" + "9" * 19),  # past 64 bits
        b64("Pröject:1:2"),
        "A" * (MAX_GLOBAL_ID_CHARS + 1),
    ],
)
def test_anything_else_is_bad_request_naming_the_argument(value: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        decode(value, "ids.3")
    assert raised.value.extensions == {"code": "BAD_REQUEST", "argument": "ids.3"}


def test_a_lookup_takes_the_integer_or_its_types_global_id() -> None:
    assert upstream_id("3001", "id", "Project", 1001) == upstream_id(PROJECT, "id", "Project", 1001) == 3001
    assert upstream_id(encode("Incentive", 77), "id", "Incentive", 1001) == 77  # no org scopes Arcadia's


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (encode("Contact", 1001, 3001), "the global id of a Contact, not of a Project"),
        (encode("Project", 1002, 3001), "belongs to org 1002, not to org 1001"),
        ("٣٠٠١", "not a positive integer id"),  # Arabic-Indic digits pass str.isdigit
        ("1" * 19, "not a positive integer id"),
    ],
)
def test_a_lookup_refuses_another_type_or_another_org(value: str, why: str) -> None:
    with pytest.raises(BadRequestError, match=why):
        upstream_id(value, "id", "Project", 1001)


def test_a_mutation_defaults_to_the_org_its_ids_global_id_names() -> None:
    assert org_of(encode("Project", 1002, 3001)) == 1002
    assert org_of(encode("WorkflowStage", 1002, 52, 53)) == 1002
    assert org_of("3001") is org_of(None) is org_of("garbage") is org_of(encode("Incentive", 5)) is None


def test_every_node_type_has_a_key_and_a_reader() -> None:
    graph = build_schema()._schema
    node = graph.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    implementations = {t.name for t in graph.get_implementations(node).objects}
    assert implementations == set(KEY_PARTS) == set(READERS)
