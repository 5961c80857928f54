"""The ``Node`` interface: every type with an identity of its own answers ``id`` and ``databaseId``."""

from __future__ import annotations

import strawberry

from schema.relay.global_ids import encode

__all__ = ["Node"]


@strawberry.interface(
    description="An object with an identity of its own: Query.node(id:) reads it again, and every lookup argument "
    "(org(id:), Org.project(id:), mutation ids, ...) takes its id as well as its databaseId."
)
class Node:
    def node_key(self) -> tuple[int, ...]:
        """The integers the lookup needs, the org first when the node has one (``KEY_PARTS``)."""
        raise NotImplementedError

    @strawberry.field(
        description="A global id (opaque: base64 of Type:key, the key holding the org for OpenSolar resources). "
        "Stable for the object's life; pass it to Query.node(id:) or to any argument that takes this type's id."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode(self.__strawberry_definition__.name, *self.node_key()))  # type: ignore[attr-defined]

    @strawberry.field(
        description="The upstream's own integer id (what OpenSolar's API and earlier versions of this graph call id). "
        "Every argument that takes this type's global id also takes this integer. Null only if it no longer fits a "
        "GraphQL Int (32 bits)."
    )
    def database_id(self) -> int | None:
        value = self.node_key()[-1]
        return value if value < 2**31 else None
