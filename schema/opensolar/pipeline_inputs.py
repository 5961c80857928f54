"""Inputs for the project's pipeline writes: usage, team assignment, stage move, sharing.

The reference documents each upstream body: usage is ``PATCH {"usage": {"usage_data_source",
"values"}}``; a stage move is ``PATCH {"workflow": {"active_stage_id", "workflow_id"},
"active_stage_id"}``; assigned roles are role hyperlinks; sharing is ``PUT {"shared_with": [...]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import strawberry

from gateway.errors import BadRequestError
from schema.opensolar.checks import given, in_range, optional_id

__all__ = ["TeamAssignmentInput", "UsageDataSource", "UsageEstimate", "UsageInput", "team_body", "usage_body"]

MAX_USAGE = 1e9  # kWh or currency units a year: far above any site, below float trouble


@strawberry.enum(description="How usage is given: kWh (energy) or bill amounts (the org's currency), per period.")
class UsageDataSource(Enum):
    KWH_ANNUAL = strawberry.enum_value("kwh_annual", description="1 value: kWh a year.")
    KWH_MONTHLY = strawberry.enum_value("kwh_monthly", description="12 values: kWh in each month, January first.")
    KWH_EVERY_SECOND_MONTH = strawberry.enum_value(
        "kwh_every_second_month", description="6 values: kWh in each two-month period."
    )
    KWH_QUARTERLY = strawberry.enum_value("kwh_quarterly", description="4 values: kWh in each quarter.")
    KWH_DAILY_PER_MONTH = strawberry.enum_value(
        "kwh_daily_per_month", description="12 values: average kWh a day in each month."
    )
    BILL_ANNUAL = strawberry.enum_value("bill_annual", description="1 value: the year's bill, in the org's currency.")
    BILL_MONTHLY = strawberry.enum_value("bill_monthly", description="12 values: each month's bill.")
    BILL_EVERY_SECOND_MONTH = strawberry.enum_value(
        "bill_every_second_month", description="6 values: each two-month bill."
    )
    BILL_QUARTERLY = strawberry.enum_value("bill_quarterly", description="4 values: each quarter's bill.")
    ESTIMATE = strawberry.enum_value("estimate", description="No values: give estimate (LOW, MEDIUM or HIGH).")


VALUE_COUNTS: dict[UsageDataSource, int] = {
    UsageDataSource.KWH_ANNUAL: 1,
    UsageDataSource.KWH_MONTHLY: 12,
    UsageDataSource.KWH_EVERY_SECOND_MONTH: 6,
    UsageDataSource.KWH_QUARTERLY: 4,
    UsageDataSource.KWH_DAILY_PER_MONTH: 12,
    UsageDataSource.BILL_ANNUAL: 1,
    UsageDataSource.BILL_MONTHLY: 12,
    UsageDataSource.BILL_EVERY_SECOND_MONTH: 6,
    UsageDataSource.BILL_QUARTERLY: 4,
    UsageDataSource.ESTIMATE: 0,
}


@strawberry.enum(description="A usage estimate level, for usage_data_source estimate.")
class UsageEstimate(Enum):
    LOW = strawberry.enum_value("Low", description="A low-consumption household (the sandbox assumes 4,500 kWh/yr).")
    MEDIUM = strawberry.enum_value("Medium", description="A typical household (the sandbox assumes 7,500 kWh/yr).")
    HIGH = strawberry.enum_value(
        "High", description="A high-consumption household (the sandbox assumes 11,500 kWh/yr)."
    )


@strawberry.input(description="A project's energy usage, as OpenSolar stores it ({usage_data_source, values}).")
class UsageInput:
    source: UsageDataSource = strawberry.field(description="How the values are given (units and count per source).")
    values: list[float] | None = strawberry.field(
        default=None, description="Non-negative numbers, exactly as many as the source takes (none for ESTIMATE)."
    )
    estimate: UsageEstimate | None = strawberry.field(default=None, description="Only with source ESTIMATE.")


def usage_body(usage: UsageInput) -> dict[str, Any]:
    count, values = VALUE_COUNTS[usage.source], usage.values or []
    if usage.source is UsageDataSource.ESTIMATE:
        if usage.estimate is None or values:
            raise BadRequestError(
                "ESTIMATE takes estimate (LOW, MEDIUM or HIGH) and no values.", argument="input.estimate"
            )
        return {"usage": {"usage_data_source": usage.source.value, "values": usage.estimate.value}}
    if usage.estimate is not None:
        raise BadRequestError("estimate is only for source ESTIMATE.", argument="input.estimate")
    if len(values) != count:
        raise BadRequestError(
            f"{usage.source.name} takes {count} value{'s' if count > 1 else ''}; got {len(values)}.",
            argument="input.values",
        )
    for index, value in enumerate(values):
        in_range(value, f"input.values.{index}", 0, MAX_USAGE)
    sent: Any = values[0] if count == 1 else values  # the reference's example sends one number bare
    return {"usage": {"usage_data_source": usage.source.value, "values": sent}}


# python attribute -> upstream relation
ROLE_FIELDS = {
    "assigned_role_id": "assigned_role",
    "designer_role_id": "assigned_designer_role",
    "salesperson_role_id": "assigned_salesperson_role",
    "installer_role_id": "assigned_installer_role",
    "site_inspector_role_id": "assigned_site_inspector_role",
}


def _role(description: str) -> Any:
    return strawberry.field(default=strawberry.UNSET, description=description)


@strawberry.input(
    description="Team members (role ids, from Org.roles) to assign; a field left out stays, null unassigns."
)
class TeamAssignmentInput:
    assigned_role_id: strawberry.ID | None = _role("The project's assigned team member.")
    designer_role_id: strawberry.ID | None = _role("The designer.")
    salesperson_role_id: strawberry.ID | None = _role("The salesperson.")
    installer_role_id: strawberry.ID | None = _role("The installer.")
    site_inspector_role_id: strawberry.ID | None = _role("The site inspector.")


def team_body(team: TeamAssignmentInput, link: Callable[[str, int], str], org_id: int) -> dict[str, Any]:
    """The upstream body of a team assignment; a role's global id must name a role of ``org_id``."""
    body: dict[str, Any] = {}
    for name, upstream in ROLE_FIELDS.items():
        value = getattr(team, name)
        if given(value):
            head, *rest = name.split("_")
            role_id = optional_id(value, "input." + head + "".join(p.title() for p in rest), "Role", org_id)
            body[upstream] = link("roles", role_id) if role_id is not None else None
    if not body:
        raise BadRequestError("Nothing to assign: give at least one role.", argument="input")
    return body
