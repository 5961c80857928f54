"""A project's market search, and a page's reads started before its rows' fields resolve.

A cold portfolio's critical path is the projects page, then Arcadia's searches (one per market, four at a time,
so ten markets take three waves), then whatever each market's incentives need from OpenSolar. When a page's
rows select ``incentives``, ``prefetch`` starts, the moment the page is decoded:

1. every market's search, in row order and ahead of every other read, so the first wave leaves before the
   graph walks the rows (only when ``incentives`` takes no arguments: arguments can change the market);
2. each project's detail, alongside the searches instead of after them: it holds the systems (so no systems
   list is read) and the usage and design the stitch asks for in most markets (``RowPlan.detail_first``);
3. the system details (tilt and azimuth) of the projects whose market is searched in Arcadia's last wave, once
   their detail shows systems. Whether a market needs them is known only from its search's answer; read after
   it, they would add a round trip behind the last wave, the end of the critical path. Earlier waves' markets
   are not read ahead: their system details, read after their search, come back no later than the last wave.
   The cost is the reads of last-wave projects whose market turns out not to need them (``_last_wave``).

Everything started here goes through the request's memos, so a field that asks for it later shares the read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

from gateway.upstream.arcadia.client import IncentiveSearch
from gateway.upstream.opensolar.models import ProjectRecord
from schema.info import Info
from schema.loaders import SystemDetailsKey
from schema.selections import selected_below

__all__ = ["RowPlan", "market_search", "prefetch"]

T = TypeVar("T")

# Where a connection's rows select a project's incentives.
_INCENTIVES_PATHS = (("nodes", "incentives"), ("edges", "node", "incentives"))
_MARKET_FIELDS = ("zip", "state", "is_residential")


def market_search(record: ProjectRecord, caller: Mapping[str, str], effective_on: date | None) -> IncentiveSearch:
    """The Arcadia search of a project's market (caller inputs override its ZIP and state)."""
    return IncentiveSearch(
        project_type="solarPv",
        customer_classes=("GENERAL" if record.is_residential is False else "RESIDENTIAL",),
        zip_code=caller.get("zipCode", record.zip),
        state=caller.get("state", record.state),
        effective_on=effective_on or datetime.now(UTC).date(),
        is_exhausted=False,
    )


@dataclass(frozen=True, slots=True)
class RowPlan:
    """What a page of projects starts for its rows: their details (serving systems too) and their market searches."""

    detail_first: bool = False
    searches: bool = False

    @classmethod
    def of(cls, info: Info) -> RowPlan:
        """The plan for the connection being resolved, from its selection."""
        nodes = [node for path in _INCENTIVES_PATHS for node in selected_below(info, path)]
        return cls(detail_first=bool(nodes), searches=bool(nodes) and not any(node.arguments for node in nodes))


def prefetch(info: Info, org_id: int, records: Sequence[ProjectRecord], plan: RowPlan) -> None:
    """Start the rows' market searches first, then their details, then (once known) the last wave's system
    details; nothing is awaited here."""
    loaders = info.context.loaders
    markets: dict[IncentiveSearch, list[ProjectRecord]] = {}
    if plan.searches:
        for record in records:
            if record.has(*_MARKET_FIELDS):
                search = market_search(record, {}, None)
                loaders.incentive_search.load(search)
                markets.setdefault(search, []).append(record)
    if plan.detail_first:
        for record in records:
            if not record.has("systems"):
                loaders.project.load((org_id, record.id))
    for record in _last_wave(markets, info.context.arcadia.slots.limit):
        _system_details_once_systems_known(info, org_id, record)


def _last_wave(markets: dict[IncentiveSearch, list[ProjectRecord]], concurrency: int) -> list[ProjectRecord]:
    """The rows whose market search waits behind at least one wave of ``concurrency`` searches, in the last one.

    With one wave, the system details read after it end the path anyway (page, search, details: the floor).
    """
    order = list(markets)
    waves = -(-len(order) // concurrency)
    if waves < 2:
        return []
    return [record for search in order[(waves - 1) * concurrency :] for record in markets[search]]


def _system_details_once_systems_known(info: Info, org_id: int, record: ProjectRecord) -> None:
    """Start the row's system details when its systems are known and there are some (no read for none)."""
    loaders = info.context.loaders
    key = SystemDetailsKey(org_id, record.id)

    def start(has_systems: bool) -> None:
        if has_systems:
            loaders.system_details.load(key).add_done_callback(_retrieve)

    if record.has("systems"):
        start(bool(record.systems))
        return

    def on_detail(detail: asyncio.Future[ProjectRecord]) -> None:
        if not detail.cancelled() and detail.exception() is None:  # a failed detail is the fields' to report
            start(bool(detail.result().systems))

    loaders.project.load((org_id, record.id)).add_done_callback(on_detail)


def _retrieve(read: asyncio.Future[T]) -> None:
    """A read nobody may await (its market may not need it): its error is retrieved, never logged as lost."""
    if not read.cancelled():
        read.exception()
