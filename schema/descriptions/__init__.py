"""What every type, field, argument, input field and enum value means, written from the seeds and the reference.

Descriptions given in the code (``description=...``) win; this catalogue fills in the rest when the schema is
built, so the types' modules stay short. Keys are ``Type``, ``Type.field``, ``Type.field(argument)`` (also for
input fields: ``Input.field``) and ``Enum.VALUE``. Connections and edges are described from their node type.
A test walks the built schema and fails on anything left without a description.

Costs name the upstream call a field may make; every call is made at most once per request (DataLoaders)
and served from the gateway's cache when a fresh copy is there.

The catalogue is split by area of the graph (``roots``, ``projects``, ``systems``, ``incentives``), with the
phrases they repeat in ``phrases`` and the upstream costs in ``costs``; this module merges them and fills
the schema in.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
)

from schema.descriptions import incentives, projects, roots, systems
from schema.descriptions.costs import COSTS

__all__ = ["AREAS", "COSTS", "DESCRIPTIONS", "describe"]

# One catalogue per area of the graph (a module each); a key belongs to exactly one (a test checks).
AREAS: dict[str, dict[str, str]] = {
    "roots": roots.DESCRIPTIONS,
    "projects": projects.DESCRIPTIONS,
    "systems": systems.DESCRIPTIONS,
    "incentives": incentives.DESCRIPTIONS,
}
DESCRIPTIONS: dict[str, str] = {key: text for area in AREAS.values() for key, text in area.items()}


def _connection_description(name: str) -> str | None:
    for suffix, text in (
        ("Connection", "A page of {0} nodes (Relay connection); page forward with first and after."),
        ("Edge", "One {0} of a page and its cursor."),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            return text.format(name[: -len(suffix)])
    return None


_GENERIC_FIELDS = {
    "edges": "The page's items with their cursors.",
    "nodes": "The page's items.",
    "pageInfo": "Where the page sits and the cursor to the next.",
    "node": "The item.",
    "cursor": "Pass as after to continue after this item.",
}


def _fill(owner: object, key: str, generic: str | None = None) -> None:
    text = getattr(owner, "description", None) or DESCRIPTIONS.get(key, generic)
    cost = COSTS.get(key)
    if cost and text and cost not in text:
        text = f"{text.rstrip()} {cost}"
    if text:
        owner.description = text  # type: ignore[attr-defined]


def describe(types: Mapping[str, GraphQLNamedType]) -> None:
    """Give every undescribed part of ``types`` (a schema's, by name) its catalogue description, in place."""
    for name, gql_type in types.items():
        if name.startswith("__"):
            continue
        wrapper = _connection_description(name)
        _fill(gql_type, name, wrapper)
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in gql_type.fields.items():
                _fill(field, f"{name}.{field_name}", _GENERIC_FIELDS.get(field_name) if wrapper else None)
                for arg_name, arg in field.args.items():
                    _fill(arg, f"{name}.{field_name}({arg_name})")
        elif isinstance(gql_type, GraphQLInputObjectType):
            for field_name, field in gql_type.fields.items():
                _fill(field, f"{name}.{field_name}")
        elif isinstance(gql_type, GraphQLEnumType):
            for value_name, value in gql_type.values.items():
                _fill(value, f"{name}.{value_name}")
