"""Relay-style connections over OpenSolar's ``page``/``limit`` lists, which have no totals.

A cursor is an opaque absolute offset. Walking forward with the same ``first`` stays aligned to the
upstream's pages, so each connection page costs one upstream call; an unaligned ``after`` costs two.
An offset is all ``page``/``limit`` lets a cursor hold: it never expires, but it does not follow rows
when the list changes ahead of it (``CURSORS`` says what a client sees; every connection field's
description carries it, see ``note_cursors``).
``hasNextPage`` is true when the upstream page came back full (the API gives no count, so the page
after a full last page may be empty). No ``totalCount`` is invented.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLNamedType, GraphQLObjectType, get_named_type

from gateway.errors import BadRequestError

__all__ = [
    "CURSORS",
    "DEFAULT_FIRST",
    "MAX_FIRST",
    "Connection",
    "Edge",
    "PageInfo",
    "Window",
    "connection",
    "fetch_window",
    "note_cursors",
    "paginate",
    "window",
]

T = TypeVar("T")
V = TypeVar("V")
DEFAULT_FIRST = 20
MAX_FIRST = 100  # OWASP "amount limiting"; also strawberry's relay_max_results default
_PREFIX = "offset:"
CURSORS = (
    " Cursors are offsets into the upstream's page/limit list, not row keys: they never expire, but a row inserted "
    "ahead of a cursor (before it in this ordering) makes the next page repeat the last row already seen, once per "
    "insert, and a row deleted ahead of it makes the next page skip one; rows added after it change nothing. To "
    "walk a changing list exactly, order so new rows land at the end (e.g. ordering: ID) and de-duplicate by id."
)


@strawberry.type(description="Where a page of a connection sits; the upstream gives no total count.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise BadRequestError("Invalid cursor: pass an endCursor or cursor this API returned.", argument="after")
    return int(text[len(_PREFIX) :])


@dataclass(frozen=True, slots=True)
class Window:
    offset: int
    first: int


def window(first: int | None, after: str | None) -> Window:
    size = DEFAULT_FIRST if first is None else first
    if not 1 <= size <= MAX_FIRST:
        raise BadRequestError(f"'first' must be between 1 and {MAX_FIRST}.", argument="first")
    return Window(decode_cursor(after) if after else 0, size)


async def fetch_window(fetch_page: Callable[[int, int], Awaitable[list[T]]], win: Window) -> tuple[list[T], bool]:
    """The items of ``win`` from a 1-based ``fetch_page(page, limit)``, and whether more may follow."""
    limit = win.first
    page, skip = divmod(win.offset, limit)
    if not skip:
        rows = await fetch_page(page + 1, limit)
        return rows, len(rows) == limit
    head, tail = await asyncio.gather(fetch_page(page + 1, limit), fetch_page(page + 2, limit))
    combined = head[skip:] + tail
    return combined[:limit], len(combined) > limit


def connection(items: list[T], win: Window, has_next: bool) -> Connection[T]:
    edges = [Edge(node=item, cursor=encode_cursor(win.offset + i + 1)) for i, item in enumerate(items)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=win.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def paginate(
    fetch_page: Callable[[int, int], Awaitable[list[V]]],
    first: int | None,
    after: str | None,
    wrap: Callable[[V], T],
) -> Connection[T]:
    win = window(first, after)
    rows, has_next = await fetch_window(fetch_page, win)
    return connection([wrap(row) for row in rows], win, has_next)


def _is_connection(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection")


def note_cursors(types: Mapping[str, GraphQLNamedType]) -> int:
    """Append ``CURSORS`` to the description of every field of a schema's ``types`` that returns a connection;
    returns how many."""
    noted = 0
    for graphql_type in types.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            if _is_connection(get_named_type(field.type)) and CURSORS not in (field.description or ""):
                field.description = (field.description or "").rstrip() + CURSORS
                noted += 1
    return noted
