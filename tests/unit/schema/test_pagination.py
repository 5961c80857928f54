from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, get_named_type

from gateway.errors import BadRequestError
from schema import build_schema
from schema.pagination import (
    CURSORS,
    MAX_FIRST,
    Window,
    connection,
    decode_cursor,
    encode_cursor,
    fetch_window,
    window,
)

ITEMS = list(range(47))


class Pages:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    async def __call__(self, page: int, limit: int) -> list[int]:
        self.calls.append((page, limit))
        return ITEMS[(page - 1) * limit : page * limit]


def test_window_defaults_and_limits() -> None:
    assert window(None, None) == Window(0, 20)
    assert window(5, encode_cursor(10)) == Window(10, 5)
    for bad in (0, -1, MAX_FIRST + 1):
        with pytest.raises(BadRequestError):
            window(bad, None)


@pytest.mark.parametrize("cursor", ["", "xyz", encode_cursor(3)[:-2] + "!!", "b2Zmc2V0Oi0x"])
def test_bad_cursors_are_bad_requests(cursor: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        decode_cursor(cursor) if cursor else window(1, "Zm9v")
    assert caught.value.code == "BAD_REQUEST"


async def test_aligned_windows_cost_one_call_each() -> None:
    pages = Pages()
    seen: list[int] = []
    offset, more = 0, True
    while more:
        items, more = await fetch_window(pages, Window(offset, 10))
        seen += items
        offset += len(items)
    assert seen == ITEMS
    assert pages.calls == [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10)]


async def test_unaligned_window_spans_two_pages() -> None:
    pages = Pages()
    items, more = await fetch_window(pages, Window(15, 10))
    assert items == list(range(15, 25)) and more
    assert sorted(pages.calls) == [(2, 10), (3, 10)]
    items, more = await fetch_window(pages, Window(42, 10))
    assert items == [42, 43, 44, 45, 46] and not more


async def test_short_second_page_ends_an_unaligned_window() -> None:
    assert await fetch_window(Pages(), Window(40, 7)) == ([40, 41, 42, 43, 44, 45, 46], False)


async def test_full_last_page_may_report_more() -> None:
    pages = Pages()
    assert await fetch_window(pages, Window(46, 1)) == ([46], True)  # no totals: a full page can't know
    assert await fetch_window(pages, Window(47, 1)) == ([], False)


async def test_a_row_inserted_ahead_of_a_cursor_is_what_the_fields_say() -> None:
    """CURSORS' claims, on a list that changes between two pages: an offset does not follow rows."""
    rows = list(range(10))

    async def pages(page: int, limit: int) -> list[int]:
        return rows[(page - 1) * limit : page * limit]

    head, _ = await fetch_window(pages, window(4, None))
    after = connection(head, window(4, None), True).page_info.end_cursor
    rows.insert(0, -1)  # inserted ahead of the cursor
    repeated, _ = await fetch_window(pages, window(4, after))
    assert head == [0, 1, 2, 3] and repeated == [3, 4, 5, 6]  # row 3 again
    del rows[:2]  # -1 and 0: one row fewer ahead of the cursor than when it was made
    skipped, _ = await fetch_window(pages, window(4, after))
    assert skipped == [5, 6, 7, 8]  # row 4 never shows
    rows.append(99)  # added after it: no effect
    assert (await fetch_window(pages, window(4, after)))[0] == skipped


def test_every_connection_field_says_what_its_cursors_survive() -> None:
    fields = [
        (owner.name, name, field.description or "")
        for owner in build_schema()._schema.type_map.values()
        if isinstance(owner, GraphQLObjectType)
        for name, field in owner.fields.items()
        if get_named_type(field.type).name.endswith("Connection")
    ]
    assert len(fields) >= 8  # Org's projects, contacts, files, webhooks, logs, queue, roles; incentives
    assert all(description.endswith(CURSORS) and description.count(CURSORS) == 1 for *_, description in fields)
