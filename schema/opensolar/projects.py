"""Projects: list rows serve what they hold; anything else comes from one project-detail call."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gateway.errors import BadRequestError
from gateway.upstream.opensolar.models import ProjectRecord, id_from_url
from gateway.upstream.opensolar.models import Workflow as WorkflowRef
from gateway.upstream.opensolar.people import ProjectPeople
from gateway.upstream.tolerant import raw_of
from schema.incentives.queries import input_map
from schema.incentives.stitch import ProjectIncentives, project_incentives
from schema.incentives.types import ApplicabilityInput
from schema.info import Info
from schema.loaders import SystemDetailsKey
from schema.opensolar.contacts import Contact
from schema.opensolar.design_types import Design, decode_once
from schema.opensolar.fields import record_field
from schema.opensolar.files import PrivateFile
from schema.opensolar.people import Event, OrgWorkflow, ProjectTag, Tariffs, TeamAssignment, WorkflowStage
from schema.opensolar.project_people import assignment, linked_id, people_of, stage_of
from schema.opensolar.proposals import Proposal
from schema.opensolar.systems import System, SystemDetails
from schema.raw import raw_field
from schema.relay.node import Node
from schema.scalars import json_value

if TYPE_CHECKING:
    from schema.opensolar.org import Org

__all__ = ["DesignStatus", "Project", "TeamMember", "Workflow"]

MAX_PARTS = 20


@strawberry.enum(description="Whether OpenSolar sent the project's design.")
class DesignStatus(Enum):
    AVAILABLE = "available"
    NOT_PROVIDED = strawberry.enum_value(
        "not_provided",
        description="OpenSolar omitted the design (or sent null): it is only included for orgs on the "
        "Raw Data API Access plan, and a project with no design yet has none either.",
    )


@strawberry.type(description="Where the project is in its workflow (the workflow object of project rows and detail).")
class Workflow:
    org_id: strawberry.Private[int]
    flow: strawberry.Private[WorkflowRef]
    id: int | None = strawberry.field(description="The project's workflow-assignment id.")
    workflow_id: int | None = strawberry.field(description="The workflow's id (Org.workflows).")
    active_stage_id: int | None = strawberry.field(description="The current stage's id (moveProjectStage changes it).")

    @strawberry.field(
        description="The current stage: title, milestone and order, from the org's workflows list (one call, cached, "
        "shared by every project)."
    )
    async def stage(self, info: Info) -> WorkflowStage | None:
        _, found = await stage_of(info, self.org_id, self.flow)
        return WorkflowStage(org_id=self.org_id, workflow_id=found[0], record=found[1]) if found else None

    @strawberry.field(description="The whole workflow, with every stage in order (same call as stage).")
    async def definition(self, info: Info) -> OrgWorkflow | None:
        workflow, _ = await stage_of(info, self.org_id, self.flow)
        return OrgWorkflow(org_id=self.org_id, record=workflow) if workflow else None


@strawberry.type(description="The team member assigned to the project (email and phone as OpenSolar masks them).")
class TeamMember:
    id: strawberry.ID
    name: str | None
    email: str | None
    phone: str | None


_DETAIL = " From project detail (one call, 100/min per user, shared by every detail field)."


@strawberry.type(description="Serial numbers recorded on the project, as free text.")
class SerialNumbers:
    panels: str | None = strawberry.field(description="Panel serial numbers (serial_numbers_panels).")
    inverters: str | None = strawberry.field(description="Inverter serial numbers (serial_numbers_inverters).")
    batteries: str | None = strawberry.field(description="Battery serial numbers (serial_numbers_batteries).")


def _linked(url: str | None) -> strawberry.ID | None:
    found = linked_id(url)
    return strawberry.ID(found) if found is not None else None


def _parts(values: list[str] | None, name: str) -> tuple[str, ...]:
    parts = tuple(sorted({v.strip() for v in values or [] if v.strip()}))
    if len(parts) > MAX_PARTS or any(not p.replace("_", "").isalnum() for p in parts):
        raise BadRequestError(f"'{name}' takes up to {MAX_PARTS} part names such as 'mcs'.", argument=name)
    return parts


@strawberry.type(description="An OpenSolar project.")
class Project(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[ProjectRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    @classmethod
    def from_id(cls, org_id: int, project_id: int) -> Project:
        return cls(org_id=org_id, record=ProjectRecord.model_validate({"id": project_id}))

    async def load_full(self, info: Info) -> ProjectRecord:
        return await info.context.loaders.project.load((self.org_id, self.record.id))

    async def _record_holding(self, info: Info, attr: str) -> ProjectRecord:
        """This record if the list page already carried ``attr``, else the project loaded in full."""
        return self.record if self.record.has(attr) else await self.load_full(info)

    raw = raw_field()

    identifier = record_field("identifier", str | None)
    title = record_field("title", str | None)
    address = record_field("address", str | None)
    business_name = record_field("business_name", str | None)
    locality = record_field("locality", str | None)
    state = record_field("state", str | None)
    zip = record_field("zip", str | None)
    county = record_field("county", str | None)
    country_iso2 = record_field("country_iso2", str | None)
    country_name = record_field("country_name", str | None)
    lat = record_field("lat", float | None)
    lon = record_field("lon", float | None)
    timezone_offset = record_field("timezone_offset", float | None)
    is_residential = record_field("is_residential", bool | None)
    is_lite = record_field("is_lite", bool | None)
    lead_source = record_field("lead_source", str | None)
    notes = record_field("notes", str | None)
    site_notes = record_field("site_notes", str | None)
    priority = record_field("priority", int | None)
    stage = record_field(
        "stage",
        int | None,
        "Deprecated upstream: the workflow milestone (0 Presale, 1 Lock "
        "Pricing, 2 Sold, 3 Installed, 4 Others). Prefer workflow.activeStageId.",
    )
    created_date = record_field("created_date", datetime | None)
    modified_date = record_field("modified_date", datetime | None)
    sold_date = record_field("sold_date", date | None)
    installation_date = record_field("installation_date", date | None)
    contract_date = record_field("contract_date", date | None)
    valid_until_date = record_field("valid_until_date", date | None)
    usage = record_field("usage", JSON | None, "Usage as OpenSolar stores it ({usage_data_source, values}).")
    usage_annual_kwh = record_field(
        "usage_annual_or_guess",
        float | None,
        "Annual consumption in kWh (OpenSolar's usage_annual_or_guess).",
    )
    share_link = record_field("share_link", str | None)
    years_to_simulate = record_field("years_to_simulate", int | None)
    language = record_field("language", str | None)
    number_of_phases = record_field("number_of_phases", int | None)
    number_of_storeys = record_field("number_of_storeys", int | None)
    custom_data = record_field("custom_data", JSON | None)

    @strawberry.field
    async def workflow(self, info: Info) -> Workflow | None:
        flow = (await self._record_holding(info, "workflow")).workflow
        if flow is None:
            return None
        return Workflow(
            org_id=self.org_id,
            flow=flow,
            id=flow.id,
            workflow_id=flow.workflow_id,
            active_stage_id=flow.active_stage_id,
        )

    @strawberry.field
    async def assigned_role(self, info: Info) -> TeamMember | None:
        record = await self._record_holding(info, "assigned_role_id")
        if record.assigned_role_id is None:
            return None
        return TeamMember(
            id=strawberry.ID(str(record.assigned_role_id)),
            name=record.assigned_role_name,
            email=record.assigned_role_email,
            phone=record.assigned_role_phone,
        )

    async def _people(self, info: Info) -> ProjectPeople:
        return people_of(await self._record_holding(info, "events_data"))

    @strawberry.field(description="The designer (assigned_designer_role)." + _DETAIL)
    async def assigned_designer(self, info: Info) -> TeamAssignment | None:
        return assignment(self.org_id, await self._people(info), "assigned_designer_role")

    @strawberry.field(description="The salesperson (assigned_salesperson_role)." + _DETAIL)
    async def assigned_salesperson(self, info: Info) -> TeamAssignment | None:
        return assignment(self.org_id, await self._people(info), "assigned_salesperson_role")

    @strawberry.field(
        description="The installer (assigned_installer_role; OpenSolar sends no masked contact)." + _DETAIL
    )
    async def assigned_installer(self, info: Info) -> TeamAssignment | None:
        return assignment(self.org_id, await self._people(info), "assigned_installer_role")

    @strawberry.field(description="The site inspector (assigned_site_inspector_role)." + _DETAIL)
    async def assigned_site_inspector(self, info: Info) -> TeamAssignment | None:
        return assignment(self.org_id, await self._people(info), "assigned_site_inspector_role")

    @strawberry.field(description="The events timeline (events_data), oldest first." + _DETAIL)
    async def events(self, info: Info) -> list[Event]:
        return [Event(org_id=self.org_id, record=e) for e in (await self._people(info)).events_data]

    @strawberry.field(description="The project's tags (tags_data)." + _DETAIL)
    async def tags(self, info: Info) -> list[ProjectTag]:
        return [
            ProjectTag(id=strawberry.ID(str(t.id)) if t.id is not None else None, title=t.title)
            for t in (await self._people(info)).tags_data
        ]

    @strawberry.field(description="Stars on the project, as OpenSolar sends them (a list)." + _DETAIL)
    async def stars(self, info: Info) -> JSON | None:
        return json_value((await self._people(info)).stars)

    @strawberry.field(description="OpenSolar's project_sold fact (null: not sold)." + _DETAIL)
    async def project_sold(self, info: Info) -> JSON | None:
        return json_value((await self._people(info)).project_sold)

    @strawberry.field(description="OpenSolar's project_installed fact (null: not installed)." + _DETAIL)
    async def project_installed(self, info: Info) -> JSON | None:
        return json_value((await self._people(info)).project_installed)

    @strawberry.field(description="The sold payment option's id (payment_option_sold)." + _DETAIL)
    async def payment_option_sold_id(self, info: Info) -> strawberry.ID | None:
        return _linked((await self._people(info)).payment_option_sold)

    @strawberry.field(description="The sold system's id (system_sold; soldSystem reads it)." + _DETAIL)
    async def system_sold_id(self, info: Info) -> strawberry.ID | None:
        return _linked((await self._people(info)).system_sold)

    @strawberry.field(description="The installed system's id (system_installed)." + _DETAIL)
    async def system_installed_id(self, info: Info) -> strawberry.ID | None:
        return _linked((await self._people(info)).system_installed)

    @strawberry.field(description="Utility tariffs, current and proposed." + _DETAIL)
    async def tariffs(self, info: Info) -> Tariffs:
        people = await self._people(info)
        return Tariffs(
            current_id=_linked(people.utility_tariff_current),
            proposed_id=_linked(people.utility_tariff_proposed),
            current=json_value(people.utility_tariff_current_data or people.utility_tariff_or_guess),
            proposed=json_value(people.utility_tariff_proposed_data or people.utility_tariff_proposed_or_guess),
        )

    @strawberry.field(description="Custom project info 1 to 5, in order (custom_project_info_1..5)." + _DETAIL)
    async def custom_project_info(self, info: Info) -> list[str | None]:
        people = await self._people(info)
        return [getattr(people, f"custom_project_info_{n}") for n in range(1, 6)]

    @strawberry.field(description="Serial numbers of panels, inverters and batteries, as free text." + _DETAIL)
    async def serial_numbers(self, info: Info) -> SerialNumbers:
        people = await self._people(info)
        return SerialNumbers(
            panels=people.serial_numbers_panels,
            inverters=people.serial_numbers_inverters,
            batteries=people.serial_numbers_batteries,
        )

    @strawberry.field(description="Connected orgs the project is shared with (shared_with; shareProject sets it).")
    async def shared_with_org_ids(self, info: Info) -> list[strawberry.ID]:
        raw = raw_of(self.record)
        record = self.record if isinstance(raw, dict) and "shared_with" in raw else await self.load_full(info)
        return [i for i in (_linked(u) for u in people_of(record).shared_with) if i is not None]

    @strawberry.field
    def org(self) -> Annotated[Org, strawberry.lazy("schema.opensolar.org")]:
        from schema.opensolar.org import Org

        return Org(org_id=self.org_id)

    @strawberry.field(description="The project's contacts (from the inlined contacts_data when present).")
    async def contacts(self, info: Info) -> list[Contact] | None:
        record = await self._record_holding(info, "contacts_data")
        return [Contact(org_id=self.org_id, record=c) for c in record.contacts_data]

    @strawberry.field(description="The project's systems (inlined in project detail, else the systems list).")
    async def systems(self, info: Info) -> list[System] | None:
        if self.record.has("systems"):
            return [System(org_id=self.org_id, project_id=self.record.id, record=s) for s in self.record.systems]
        rows = await info.context.loaders.project_systems.load((self.org_id, self.record.id))
        return [System(org_id=self.org_id, project_id=self.record.id, record=s) for s in rows]

    @strawberry.field(description="The sold system, if the project is sold.")
    async def sold_system(self, info: Info) -> System | None:
        system_id = id_from_url((await self._record_holding(info, "system_sold")).system_sold)
        if system_id is None:
            return None
        rows = await info.context.loaders.project_systems.load((self.org_id, self.record.id))
        record = next((s for s in rows if s.id == system_id), None)
        return System(org_id=self.org_id, project_id=self.record.id, record=record) if record else None

    @strawberry.field(
        description="System details: components, module groups, adders, incentives; custom_data "
        "only on the Raw Data plan. includeParts and excludeParts cannot be combined."
    )
    async def system_details(
        self,
        info: Info,
        include_parts: list[str] | None = None,
        exclude_parts: list[str] | None = None,
        limit_to_sold: bool = False,
    ) -> list[SystemDetails] | None:
        include, exclude = _parts(include_parts, "includeParts"), _parts(exclude_parts, "excludeParts")
        if include and exclude:
            raise BadRequestError("includeParts and excludeParts cannot be combined.", argument="includeParts")
        key = SystemDetailsKey(self.org_id, self.record.id, include, exclude, limit_to_sold)
        return [SystemDetails(record=r) for r in await info.context.loaders.system_details.load(key)]

    @strawberry.field(description="The project's private files (inlined in project detail).")
    async def private_files(self, info: Info) -> list[PrivateFile] | None:
        record = await self._record_holding(info, "private_files_data")
        return [PrivateFile(org_id=self.org_id, record=f) for f in record.private_files_data]

    @strawberry.field(description="Why design is null, when it is.")
    async def design_status(self, info: Info) -> DesignStatus | None:
        record = await self._record_holding(info, "design")
        return DesignStatus.AVAILABLE if record.design else DesignStatus.NOT_PROVIDED

    @strawberry.field(
        description="The decoded design (Raw Data plan only; see designStatus). Decoded only when "
        "selected, and at most once per request."
    )
    async def design(self, info: Info) -> Design | None:
        record = await self._record_holding(info, "design")
        if not record.design:
            return None
        return Design(document=await decode_once(info.context, self.record.id, record.design))

    @strawberry.field(description="Proposal data (Raw Data plan only; PLAN_REQUIRED otherwise).")
    async def proposal(self, info: Info) -> Proposal | None:
        return Proposal(record=await info.context.loaders.proposal.load(self.record.id))

    @strawberry.field(
        description="Incentives for each of the project's systems (or only the sold one): eligibility, what is still "
        "required, an estimated value and the inputs used, derived from the project's address, systems and usage. "
        "Caller inputs override derived ones."
    )
    async def incentives(
        self,
        info: Info,
        inputs: list[ApplicabilityInput] | None = None,
        effective_on: date | None = None,
        sold_only: bool = False,
    ) -> ProjectIncentives | None:
        return await project_incentives(info, self, input_map(inputs), effective_on, sold_only)
