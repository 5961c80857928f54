"""The graph explains itself: every type, field, argument, input field and enum value has a description."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
)

from schema import build_schema
from schema.descriptions import AREAS, COSTS, DESCRIPTIONS


def _parts(name: str, gql_type: GraphQLNamedType) -> list[tuple[str, object]]:
    parts: list[tuple[str, object]] = [(name, gql_type)]
    if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in gql_type.fields.items():
            parts.append((f"{name}.{field_name}", field))
            parts.extend((f"{name}.{field_name}({arg})", value) for arg, value in field.args.items())
    elif isinstance(gql_type, GraphQLInputObjectType):
        parts.extend((f"{name}.{field_name}", field) for field_name, field in gql_type.fields.items())
    elif isinstance(gql_type, GraphQLEnumType):
        parts.extend((f"{name}.{value_name}", value) for value_name, value in gql_type.values.items())
    return parts


def _schema_parts() -> dict[str, object]:
    type_map = build_schema()._schema.type_map
    return {
        key: part
        for name, gql_type in type_map.items()
        if not name.startswith("__")
        for key, part in _parts(name, gql_type)
    }


def test_every_part_of_the_schema_has_a_description() -> None:
    parts = _schema_parts()
    missing = sorted(key for key, part in parts.items() if not (getattr(part, "description", None) or "").strip())
    assert not missing, f"{len(missing)} of {len(parts)} schema parts have no description: {missing}"


def test_the_catalogue_names_only_parts_that_exist() -> None:
    stale = sorted((set(DESCRIPTIONS) | set(COSTS)) - set(_schema_parts()))
    assert not stale, f"schema/descriptions/ describes parts the schema no longer has: {stale}"


def test_each_part_is_described_in_one_area_only() -> None:
    seen: dict[str, str] = {}
    twice = []
    for area, catalogue in AREAS.items():
        twice += [f"{key} ({seen[key]}, {area})" for key in catalogue if key in seen]
        seen.update(dict.fromkeys(catalogue, area))
    assert not twice, f"described in two areas, the later one silently wins: {twice}"
    assert len(DESCRIPTIONS) == sum(len(catalogue) for catalogue in AREAS.values())


def test_descriptions_say_what_a_field_costs_and_needs() -> None:
    project = build_schema()._schema.type_map["Project"]
    assert isinstance(project, GraphQLObjectType)
    assert "100/min per user" in (project.fields["title"].description or "")
    assert "Raw Data" in (project.fields["customData"].description or "")
    proposal = project.fields["proposal"].description or ""
    assert proposal.startswith("Proposal data (Raw Data plan only") and "100/min per user" in proposal
