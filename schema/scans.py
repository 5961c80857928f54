"""Filters the upstream lacks, applied by the gateway over the paged list, and what they cost.

A filtered connection reads upstream pages of ``SCAN_PAGE`` rows from its cursor on, keeps the rows
that match, and stops once it has ``first`` of them (and knows whether one more follows), when the
list ends, or after ``MAX_SCAN_PAGES`` pages; then ``hasNextPage`` is true and ``endCursor`` points
past the last row read, so the client continues the scan. Cursors are upstream offsets, so they stay
valid between requests as long as rows are not inserted ahead of them. Every scan is reported in
``extensions.scans`` (field, upstream pages read, rows scanned, rows matched).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from strawberry.extensions import SchemaExtension

from schema.pagination import Connection, Edge, PageInfo, Window, encode_cursor

__all__ = ["MAX_SCAN_PAGES", "SCAN_PAGE", "ScanReports", "Scanned", "scan", "scanned_connection"]

R = TypeVar("R")
T = TypeVar("T")
SCAN_PAGE = 100  # rows per upstream page while filtering: the largest page the gateway asks for
MAX_SCAN_PAGES = 20  # at most 2,000 rows (20 upstream calls) per connection page


@dataclass
class Scanned(Generic[R]):
    rows: list[tuple[int, R]]  # (upstream offset after the row, row)
    has_next: bool
    resume_at: int  # the upstream offset to continue from
    pages: int
    scanned: int


async def scan(
    fetch_page: Callable[[int, int], Awaitable[list[R]]],
    keep: Callable[[R], bool],
    win: Window,
    *,
    stop: Callable[[R], bool] | None = None,
) -> Scanned[R]:
    """Rows of ``win`` that ``keep`` accepts; ``stop`` ends the scan early (an ordered list past its range)."""
    offset, pages, scanned = win.offset, 0, 0
    found: list[tuple[int, R]] = []
    while pages < MAX_SCAN_PAGES:
        page, skip = divmod(offset, SCAN_PAGE)
        rows = (await fetch_page(page + 1, SCAN_PAGE))[skip:]
        pages += 1
        for row in rows:
            offset += 1
            scanned += 1
            if stop is not None and stop(row):
                return Scanned(found[: win.first], len(found) > win.first, offset, pages, scanned)
            if keep(row):
                found.append((offset, row))
                if len(found) > win.first:
                    return Scanned(found[: win.first], True, found[win.first - 1][0], pages, scanned)
        if len(rows) + skip < SCAN_PAGE:
            return Scanned(found, False, offset, pages, scanned)
    return Scanned(found, True, offset, pages, scanned)  # the page budget ran out: the client continues


def scanned_connection(result: Scanned[R], win: Window, wrap: Callable[[R], T]) -> Connection[T]:
    edges = [Edge(node=wrap(row), cursor=encode_cursor(after)) for after, row in result.rows]
    end = encode_cursor(result.resume_at) if result.has_next else (edges[-1].cursor if edges else None)
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=result.has_next,
            has_previous_page=win.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=end,
        ),
    )


class ScanReports(SchemaExtension):
    """Adds ``extensions.scans``: what each gateway-filtered list had to read upstream."""

    def on_operation(self) -> Iterator[None]:
        yield

    def get_results(self) -> dict[str, Any]:
        reports = getattr(self.execution_context.context, "scans", None)
        return {"scans": list(reports)} if reports else {}
