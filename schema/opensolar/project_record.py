"""A project's own fields: list rows serve what they hold; anything else comes from one project-detail call."""

# Deliberate repetition (`duplicates` lists it): each type declares its own fields, one `record_field` a line
# (name, type), as System does in systems.py; a shared list would tie two upstream records' fields together.

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from gateway.upstream.opensolar.models import ProjectRecord
from gateway.upstream.opensolar.people import ProjectPeople
from schema.info import Info
from schema.opensolar.fields import record_field
from schema.opensolar.people import Event, ProjectTag, Tariffs, TeamAssignment
from schema.opensolar.project_people import assignment, linked, people_of
from schema.opensolar.project_types import SerialNumbers, TeamMember, Workflow
from schema.raw import raw_field
from schema.relay.node import Node
from schema.scalars import json_value

__all__ = ["ProjectRecordFields"]

_DETAIL = " From project detail (one call, 100/min per user, shared by every detail field)."


@strawberry.type
class ProjectRecordFields(Node):
    """The fields Project reads from its own record, in the schema's order (Project adds the linked records).

    Not in the schema itself: ``Project`` inherits these fields, so they appear there before its own."""

    org_id: strawberry.Private[int]
    record: strawberry.Private[ProjectRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

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
        return linked((await self._people(info)).payment_option_sold)

    @strawberry.field(description="The sold system's id (system_sold; soldSystem reads it)." + _DETAIL)
    async def system_sold_id(self, info: Info) -> strawberry.ID | None:
        return linked((await self._people(info)).system_sold)

    @strawberry.field(description="The installed system's id (system_installed)." + _DETAIL)
    async def system_installed_id(self, info: Info) -> strawberry.ID | None:
        return linked((await self._people(info)).system_installed)

    @strawberry.field(description="Utility tariffs, current and proposed." + _DETAIL)
    async def tariffs(self, info: Info) -> Tariffs:
        people = await self._people(info)
        return Tariffs(
            current_id=linked(people.utility_tariff_current),
            proposed_id=linked(people.utility_tariff_proposed),
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
