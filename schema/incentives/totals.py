"""Totals per eligibility, where projectTypeExclusive incentives count only the best one.

The seed: "projectTypeExclusive ... True means only one incentive from the LSE/jurisdiction can be
used." Within each eligibility, exclusive incentives are grouped by (LSE, jurisdiction) and only the
highest estimate of each group counts (ties: the lower incentive id); the others are reported as
not counted. Incentives with no estimate count towards ``unestimatedCount``, not the amount.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from gateway.upstream.arcadia.models import IncentiveRecord

__all__ = ["Scored", "Total", "totals"]


class Scored(NamedTuple):
    incentive: IncentiveRecord
    eligibility: str
    amount: float | None


class Total(NamedTuple):
    eligibility: str
    amount: float
    incentive_count: int
    unestimated_count: int


def _group(item: Scored) -> tuple[object, ...] | None:
    record = item.incentive
    if not record.project_type_exclusive:
        return None
    return (item.eligibility, record.lse_id if record.lse_id is not None else record.lse_name, record.jurisdiction)


def totals(items: list[Scored]) -> tuple[list[Total], set[int]]:
    """The totals, and the incentive ids that count towards them."""
    best: dict[tuple[object, ...], Scored] = {}
    for item in items:
        group = _group(item)
        if group is None:
            continue
        current = best.get(group)
        score = (item.amount if item.amount is not None else -1.0, -item.incentive.incentive_id)
        if current is None or score > (
            current.amount if current.amount is not None else -1.0,
            -current.incentive.incentive_id,
        ):
            best[group] = item
    counted = {id(item) for item in items if _group(item) is None} | {id(item) for item in best.values()}
    sums: dict[str, list[Scored]] = defaultdict(list)
    for item in items:
        if id(item) in counted:
            sums[item.eligibility].append(item)
    result = [
        Total(
            eligibility,
            sum(i.amount for i in group if i.amount is not None),
            len(group),
            sum(1 for i in group if i.amount is None),
        )
        for eligibility, group in sums.items()
    ]
    order = {"ELIGIBLE": 0, "COULD_BE_ELIGIBLE": 1, "INELIGIBLE": 2}
    return sorted(result, key=lambda t: order.get(t.eligibility, 9)), {
        item.incentive.incentive_id for item in items if id(item) in counted
    }
