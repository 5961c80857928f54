"""Documents built from the schema itself: valid-shaped queries whose argument values are hostile.

Random token soup mostly fails to parse and never reaches a resolver. These documents parse and validate
by construction (fields, arguments and sub-selections all come from the schema), so what they exercise is
execution: argument coercion, resolvers, the upstream clients and the sandbox behind them.
"""

from __future__ import annotations

import json
import random
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)

from schema import build_schema

__all__ = ["SCHEMA", "document", "hostile_value"]

SCHEMA: GraphQLSchema = build_schema()._schema

HOSTILE_IDS = [
    "3001",
    "3002",
    "1001",
    "1002",
    "701",
    "0",
    "-1",
    "99999999999999999999999",
    "3001/../3002",
    "../../orgs/1002/projects",
    "%2e%2e%2f",
    "3001?page=2",
    "3001#x",
    "' OR 1=1 --",
    "<script>",
    "\u0000",
    "💥",
    " 3001 ",
    "1e3",
    "0x10",
    "https://evil.test/",
    "x" * 400,
    "",
]
HOSTILE_STRINGS = [
    *HOSTILE_IDS,
    "object.uuid",
    "/object/children/0",
    "systems.0.pricing",
    "/",
    "~1~0",
    "a" * 2000,
    "{}",
    "null",
    "90210",
    "94103",
]
HOSTILE_INTS = [0, 1, 2, 5, -1, -(2**31), 2**31 - 1, 100, 1000, 101]
HOSTILE_FLOATS = [0.0, -1.0, 1e308, -1e308, 3.5, 1e-308]
EDGE_DATES = ["2024-01-01", "0001-01-01", "9999-12-31", "2024-02-29", "1970-01-01"]
BAD_DATES = ["2024-02-30", "yesterday", "2024-01-01T00:00:00Z", ""]
MAX_DEPTH = 4  # the gateway's limit is 12; the point here is execution, not the depth limit
MAX_FIELDS = 3


def _literal(value: Any) -> str:
    """A GraphQL literal for a plain value (enums are passed as already-rendered names)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, int) else f"{value:.17g}".replace("inf", "1e400")
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are GraphQL string escapes
    raise TypeError(value)


def hostile_value(rng: random.Random, type_: GraphQLInputType, depth: int = 0, *, nullable: bool = True) -> str:
    """A literal of the argument's type, picked to be awkward: edge ints, traversal ids, bad dates."""
    if isinstance(type_, GraphQLNonNull):
        return hostile_value(rng, type_.of_type, depth, nullable=False)
    if nullable and rng.random() < 0.05:
        return "null"
    if isinstance(type_, GraphQLList):
        return "[" + ", ".join(hostile_value(rng, type_.of_type, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    if isinstance(type_, GraphQLEnumType):
        return str(rng.choice(list(type_.values)))
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            f"{name}: {hostile_value(rng, field.type, depth + 1)}"
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) or (depth < 3 and rng.random() < 0.5)
        ]
        return "{" + ", ".join(fields) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return _literal(_scalar(rng, type_.name))


def _scalar(rng: random.Random, name: str) -> Any:
    if name == "ID":
        return rng.choice(HOSTILE_IDS)
    if name == "Int":
        return rng.choice(HOSTILE_INTS)
    if name == "Float":
        return rng.choice(HOSTILE_FLOATS)
    if name == "Boolean":
        return rng.random() < 0.5
    if name in {"Date", "DateTime"}:
        return rng.choice(BAD_DATES if rng.random() < 0.2 else EDGE_DATES)
    return rng.choice(HOSTILE_STRINGS)  # String, JSON and anything new


def _arguments(rng: random.Random, field: GraphQLField) -> str:
    chosen = [
        f"{name}: {hostile_value(rng, arg.type)}"
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) or rng.random() < 0.6
    ]
    return f"({', '.join(chosen)})" if chosen else ""


def _selection(rng: random.Random, type_: GraphQLOutputType, depth: int) -> str:
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if not isinstance(named, GraphQLObjectType) or depth >= MAX_DEPTH:
        return "{ __typename }"
    names = rng.sample(sorted(named.fields), k=min(len(named.fields), rng.randint(1, MAX_FIELDS)))
    parts = []
    for index, name in enumerate(names):
        field = named.fields[name]
        alias = f"a{index}: " if rng.random() < 0.2 else ""
        parts.append(f"{alias}{name}{_arguments(rng, field)} {_selection(rng, field.type, depth + 1)}".rstrip())
    return "{ " + " ".join(parts) + " }"


def document(rng: random.Random) -> str:
    """One query over the whole graph, starting from a random root field."""
    root = SCHEMA.query_type
    assert root is not None
    name = rng.choice(sorted(root.fields))
    field = root.fields[name]
    return "query Fuzz { " + f"{name}{_arguments(rng, field)} {_selection(rng, field.type, 1)}".rstrip() + " }"
