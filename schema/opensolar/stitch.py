"""A project's incentives: one Arcadia search per market, evaluated per system with derived inputs.

The search is keyed on the normalised market (ZIP, state, customer class, date), so every project
and system in a ZIP shares one Arcadia call per request; each system's own inputs are then
evaluated by the gateway (``schema.incentives.eligibility``) and valued (``estimate``). Optional
sources are fetched only when some incentive in the market refers to them: system details for
tilt/azimuth, the decoded design for the AC size. When one of those fails, the inputs it would have
given are left out and a warning says why; the rest of the answer stands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, NamedTuple

import strawberry

from gateway.errors import GatewayError
from gateway.upstream.arcadia.client import IncentiveSearch
from gateway.upstream.arcadia.models import IncentiveRecord
from gateway.upstream.opensolar.models import ProjectRecord, ProjectSystemEntry, SystemRecord, id_from_url
from schema.incentives.applicability import Applicability
from schema.incentives.eligibility import Outcome, evaluate
from schema.incentives.enums import Eligibility
from schema.incentives.estimate import Estimate, Terms, estimate
from schema.incentives.estimate_types import IncentiveEstimate, numeric_inputs
from schema.incentives.inputs import InputSource, ProjectFacts, SystemFacts, UsedInput, derive_inputs, keys_referenced
from schema.incentives.market import market_search
from schema.incentives.totals import Scored, Total, totals
from schema.incentives.types import Incentive
from schema.info import Info
from schema.loaders import SystemDetailsKey
from schema.opensolar.design_types import decode_once
from schema.opensolar.systems import System

if TYPE_CHECKING:
    from schema.opensolar.projects import Project

__all__ = ["ProjectIncentives", "project_incentives"]

InputSourceType = strawberry.enum(InputSource, description="Where an applicability input came from.")


@strawberry.type
class IncentiveInputUsed:
    key: str
    value: str
    source: InputSourceType  # type: ignore[valid-type]
    detail: str


@strawberry.type(description="One incentive for one system: eligibility and value for that system's inputs.")
class ProjectIncentive:
    # Built when a query selects a system's incentives; its parts become objects only when selected.
    record: strawberry.Private[IncentiveRecord]
    inputs: strawberry.Private[Mapping[str, str]]
    outcome: strawberry.Private[Outcome]
    value: strawberry.Private[Estimate]
    counted: strawberry.Private[bool]

    @strawberry.field
    def incentive(self) -> Incentive:
        return Incentive(record=self.record, inputs=self.inputs)

    @strawberry.field
    def eligibility(self) -> Eligibility:
        return Eligibility(self.outcome.eligibility)

    @strawberry.field
    def required_data(self) -> list[Applicability]:
        return Applicability.many(self.outcome.required)

    @strawberry.field
    def failed_applicabilities(self) -> list[str]:
        return self.outcome.failed

    @strawberry.field
    def estimate(self) -> IncentiveEstimate:
        return IncentiveEstimate(data=self.value)

    @strawberry.field(
        description="False when a better projectTypeExclusive incentive of the same LSE/jurisdiction counts instead."
    )
    def counted_in_total(self) -> bool:
        return self.counted


@strawberry.type
class EligibilityTotal:
    eligibility: Eligibility
    amount: float
    incentive_count: int
    unestimated_count: int


class _Evaluated(NamedTuple):
    """One incentive evaluated for one system: what ``ProjectIncentive`` is built from when it is selected."""

    record: IncentiveRecord
    outcome: Outcome
    value: Estimate


@strawberry.type
class SystemIncentives:
    # Evaluated eagerly (the totals need every incentive); the objects a query may select (inputs,
    # incentives, totals) are built by their fields, so a portfolio that selects only the totals
    # does not build ~10 input and ~3 incentive objects per system it never returns.
    system: System
    used: strawberry.Private[list[UsedInput]]
    evaluated: strawberry.Private[list[_Evaluated]]
    sums: strawberry.Private[list[Total]]
    counted: strawberry.Private[set[int]]  # ids of the incentives counted in the totals

    @strawberry.field
    def inputs(self) -> list[IncentiveInputUsed]:
        return [IncentiveInputUsed(key=u.key, value=u.value, source=u.source, detail=u.detail) for u in self.used]

    @strawberry.field
    def incentives(self) -> list[ProjectIncentive]:
        values = {item.key: item.value for item in self.used}
        counted = self.counted
        return [
            ProjectIncentive(
                record=e.record,
                inputs=values,
                outcome=e.outcome,
                value=e.value,
                counted=e.record.incentive_id in counted,
            )
            for e in self.evaluated
        ]

    @strawberry.field
    def totals(self) -> list[EligibilityTotal]:
        return [
            EligibilityTotal(
                eligibility=Eligibility(t.eligibility),
                amount=round(t.amount, 2),
                incentive_count=t.incentive_count,
                unestimated_count=t.unestimated_count,
            )
            for t in self.sums
        ]


@strawberry.type(description="The market the incentives were searched in.")
class IncentiveMarket:
    zip_code: str | None
    state: str | None
    customer_class: str
    effective_on: date


@strawberry.type
class StitchWarning:
    code: str
    message: str


@strawberry.type(
    description="A project's incentives per system (systems are alternatives, so there is no "
    "project-wide sum; see each system's totals)."
)
class ProjectIncentives:
    market: IncentiveMarket
    systems: list[SystemIncentives]
    warnings: list[StitchWarning]


@dataclass
class _Sources:
    details: dict[int, SystemFacts]
    ac_watts: dict[str, float]
    warnings: list[StitchWarning]


async def _module_groups(info: Info, org_id: int, project_id: int, sources: _Sources) -> None:
    try:
        rows = await info.context.loaders.system_details.load(SystemDetailsKey(org_id, project_id))
        sources.details = {r.id: SystemFacts(None, None, None, tuple(r.module_groups)) for r in rows if r.id}
    except GatewayError as exc:
        sources.warnings.append(StitchWarning(code=exc.code, message=f"tilt/azimuth not derived: {exc.message}"))


async def _detail(info: Info, project: Project, needed: set[str], sold_only: bool, sources: _Sources) -> ProjectRecord:
    """The project detail, when usage, the design or the sold system is needed; decoded design for AC size."""
    record = project.record
    if (needed & {"annualConsumption", "systemSizeAcW"} or sold_only) and not record.has("usage_annual_or_guess"):
        record = await project.load_full(info)
    if "systemSizeAcW" in needed and record.design:
        try:
            document = await decode_once(info.context, record.id, record.design)
            scenes = document.scene.systems  # read in the decode's worker thread
            sources.ac_watts = {s.uuid: s.ac_watts for s in scenes if s.uuid and s.ac_watts is not None}
        except GatewayError as exc:
            sources.warnings.append(StitchWarning(code=exc.code, message=f"systemSizeAcW not derived: {exc.message}"))
    return record


def _evaluate(
    incentives: list[IncentiveRecord], terms: list[Terms], used: list[UsedInput]
) -> tuple[list[_Evaluated], list[Scored]]:
    values = {item.key: item.value for item in used}
    numbers = numeric_inputs(values)
    evaluated: list[_Evaluated] = []
    scored: list[Scored] = []
    for record, its_terms in zip(incentives, terms, strict=True):
        outcome = evaluate(record.applicabilities or [], values)
        value = estimate(its_terms, numbers)
        scored.append(Scored(record, outcome.eligibility, value.amount))
        evaluated.append(_Evaluated(record, outcome, value))
    return evaluated, scored


def _system_result(
    org_id: int,
    project_id: int,
    system: SystemRecord | ProjectSystemEntry,
    incentives: list[IncentiveRecord],
    terms: list[Terms],
    facts: ProjectFacts,
    sources: _Sources,
    caller: Mapping[str, str],
) -> SystemIncentives:
    groups = sources.details.get(system.id)
    system_facts = SystemFacts(
        kw_stc=system.kw_stc,
        price_including_tax=system.price_including_tax,
        output_annual_kwh=system.output_annual_kwh,
        module_groups=groups.module_groups if groups else (),
        ac_watts=sources.ac_watts.get(system.uuid or ""),
    )
    used = derive_inputs(facts, system_facts, caller)
    evaluated, scored = _evaluate(incentives, terms, used)
    sums, counted = totals(scored)
    return SystemIncentives(
        system=System(org_id=org_id, project_id=project_id, record=system),
        used=used,
        evaluated=evaluated,
        sums=sums,
        counted=counted,
    )


async def _market_and_systems(
    info: Info, project: Project, record: ProjectRecord, search: IncentiveSearch
) -> tuple[list[IncentiveRecord], list[SystemRecord | ProjectSystemEntry], ProjectRecord]:
    """Round trip 1: the market's incentives and the project's systems (from the detail when it holds them)."""
    loaders = info.context.loaders
    if record.has("systems"):
        return await loaders.incentive_search.load(search), [*record.systems], record
    if project.detail_first:  # the detail serves the systems and the usage (schema/incentives/market.py)
        incentives, record = await asyncio.gather(loaders.incentive_search.load(search), project.load_full(info))
        return incentives, [*record.systems], record
    incentives, listed = await asyncio.gather(
        loaders.incentive_search.load(search), loaders.project_systems.load((project.org_id, record.id))
    )
    return incentives, [*listed], record


async def project_incentives(
    info: Info, project: Project, caller: Mapping[str, str], effective_on: date | None, sold_only: bool
) -> ProjectIncentives:
    record = project.record
    if not record.has("zip", "state", "is_residential"):
        record = await project.load_full(info)
    search = market_search(record, caller, effective_on)
    incentives, systems, record = await _market_and_systems(info, project, record, search)
    needed = keys_referenced(incentives) - set(caller)
    # Round trip 2: whatever the market's incentives need, side by side.
    sources = _Sources({}, {}, [])
    detail = _detail(info, project, needed, sold_only, sources)
    if needed & {"tilt", "azimuth"}:
        record, _ = await asyncio.gather(detail, _module_groups(info, project.org_id, record.id, sources))
    else:
        record = await detail
    if sold_only:
        sold = id_from_url(record.system_sold)
        systems = [s for s in systems if s.id == sold]
    facts = ProjectFacts(search.zip_code, search.state, record.usage_annual_or_guess)
    terms = [Terms.of(incentive) for incentive in incentives]  # the same for every system of the project
    results = [_system_result(project.org_id, record.id, s, incentives, terms, facts, sources, caller) for s in systems]
    return ProjectIncentives(
        market=IncentiveMarket(
            zip_code=search.zip_code,
            state=search.state,
            customer_class=search.customer_classes[0],
            effective_on=search.effective_on or datetime.now(UTC).date(),
        ),
        systems=results,
        warnings=sources.warnings,
    )
