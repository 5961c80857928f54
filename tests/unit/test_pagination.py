from __future__ import annotations

import pytest

from gateway.errors import BadRequestError
from schema.pagination import MAX_FIRST, Window, decode_cursor, encode_cursor, fetch_window, window

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
