"""``Query.node(id:)`` and ``Query.nodes(ids:)``: any object with an identity, again, by its global id."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, cast

import strawberry

from gateway.errors import BadRequestError
from schema.info import Info
from schema.node_lookup import resolve_node
from schema.relay.global_ids import decode
from schema.relay.node import Node

__all__ = ["MAX_NODES", "NodeQueries"]

MAX_NODES = 100  # as projectsByIds and a connection's first: the cost rule counts each id as one read


async def _node(info: Info, value: str, argument: str) -> Node:
    if value.isdigit():
        raise BadRequestError(
            f"Invalid {argument}: {value[:40]!r} is an upstream integer id, which names no type: pass a global id "
            "(a Node's id field), or the integer to the type's own lookup field (e.g. Org.project(id:)).",
            argument=argument,
        )
    return await resolve_node(info, decode(value, argument))


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="Any object with an identity, by its global id (the id field of a Node). One read, the same as "
        "the object's own lookup field (a project costs one project-detail call, shared with Org.project(id:)); "
        "another org's id is read under the caller's credential like any read (FORBIDDEN or NOT_FOUND). Null with "
        "one error here: BAD_REQUEST for what is not a global id of this API (an upstream integer has no type: "
        "use the type's own lookup field), NOT_FOUND, FORBIDDEN."
    )
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A Node's global id.")]
    ) -> Node | None:
        return await _node(info, id, "id")

    @strawberry.field(
        description=f"Several objects by global id, in the order given (at most {MAX_NODES}; more is BAD_REQUEST here "
        "with no read made). Read through the request's loaders: batched, and an id given twice is read once. Each "
        "id fails alone: a bad, unknown, other-type or forbidden one is null with its error at its own index "
        "(path nodes.<index>)."
    )
    def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"Global ids (at most {MAX_NODES}).")],
    ) -> list[Node | None] | None:
        if len(ids) > MAX_NODES:
            raise BadRequestError(f"nodes takes at most {MAX_NODES} ids; got {len(ids)}.", argument="ids")
        # graphql-core completes each awaitable item at its own path (nodes.<index>): one id's error nulls only it
        items: list[Awaitable[Node]] = [_node(info, value, f"ids.{index}") for index, value in enumerate(ids)]
        return cast("list[Node | None]", items)
