"""A project's market search, and a page's reads started before its rows' fields resolve.

A cold portfolio's critical path is the projects page, then Arcadia's searches (one per market, four at a time,
so ten markets take three waves), then whatever each market's incentives need from OpenSolar. When a page's
rows select ``incentives``, ``prefetch`` starts, the moment the page is decoded:

1. every market's search, in row order and ahead of every other read, so the first wave leaves before the
   graph walks the rows (only when ``incentives`` takes no arguments: arguments can change the market);
2. each project's detail, alongside the searches instead of after them: it holds the systems (so no systems
   list is read) and the usage and design the stitch asks for in most markets (``RowPlan.detail_first``).

Everything started here goes through the request's memos, so a field that asks for it later shares the read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from gateway.upstream.arcadia.client import IncentiveSearch
from gateway.upstream.opensolar.models import ProjectRecord
from schema.info import Info
from schema.selections import selected_below

__all__ = ["RowPlan", "market_search", "prefetch"]

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
    """Start the rows' market searches first, then their details; nothing is awaited here."""
    loaders = info.context.loaders
    if plan.searches:
        for record in records:
            if record.has(*_MARKET_FIELDS):
                loaders.incentive_search.load(market_search(record, {}, None))
    if plan.detail_first:
        for record in records:
            if not record.has("systems"):
                loaders.project.load((org_id, record.id))
