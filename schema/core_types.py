"""The graphql-core types a built Strawberry schema executes with, by name, reached through public API.

Two steps finish the schema after Strawberry builds it: the catalogue fills in descriptions
(``schema/descriptions/``) and plain resolvers replace Strawberry's per-field wrapper
(``schema/plain_resolvers.py``). Strawberry 0.341 offers no public hook for either while it builds:
``GraphQLCoreConverter.from_resolver`` always wraps a resolver (upstream PR #4620, open, would let
the wrapper skip itself) and descriptions come only from the code. So both edit the graphql-core
objects afterwards, and this is the one place that reaches them: through ``schema_converter``, the
converter every ``BaseSchema`` exposes (Strawberry's printer and federation read it too), instead of
the private ``schema._schema``. They are the very objects graphql-core executes with, as long as the
schema is not built with ``StrawberryConfig(sort_schema=True)``, which copies every type.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLNamedType

__all__ = ["core_types"]


def core_types(schema: strawberry.Schema) -> dict[str, GraphQLNamedType]:
    """Every named graphql-core type of ``schema`` (scalars, enums, objects, interfaces, inputs, unions)."""
    if schema.config.sort_schema:
        raise ValueError("sort_schema copies every type: edits to the converter's types would not be executed")
    return {
        name: concrete.implementation
        for name, concrete in schema.schema_converter.type_map.items()
        if isinstance(concrete.implementation, GraphQLNamedType)
    }
