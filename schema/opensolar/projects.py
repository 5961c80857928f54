"""Projects: list rows serve what they hold; anything else comes from one project-detail call."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.errors import BadRequestError
from gateway.upstream.opensolar.models import ProjectRecord, id_from_url
from gateway.upstream.tolerant import raw_of
from schema.incentives.applicability import ApplicabilityInput
from schema.incentives.queries import input_map
from schema.info import Info
from schema.loaders import SystemDetailsKey
from schema.opensolar.backlinks import org_of
from schema.opensolar.contacts import Contact
from schema.opensolar.design_types import Design, decode_once
from schema.opensolar.files import PrivateFile
from schema.opensolar.project_people import linked, people_of
from schema.opensolar.project_record import ProjectRecordFields
from schema.opensolar.project_types import DesignStatus
from schema.opensolar.proposals import Proposal
from schema.opensolar.stitch import ProjectIncentives, project_incentives
from schema.opensolar.systems import System, SystemDetails, detail_parts

if TYPE_CHECKING:
    from schema.opensolar.org import Org

__all__ = ["Project"]


@strawberry.type(description="An OpenSolar project.")
class Project(ProjectRecordFields):
    # Set on a page's rows that select incentives: their detail, read anyway, serves the systems (market.py).
    detail_first: strawberry.Private[bool] = False

    @classmethod
    def from_id(cls, org_id: int, project_id: int) -> Project:
        return cls(org_id=org_id, record=ProjectRecord.model_validate({"id": project_id}))

    @strawberry.field(description="Connected orgs the project is shared with (shared_with; shareProject sets it).")
    async def shared_with_org_ids(self, info: Info) -> list[strawberry.ID]:
        raw = raw_of(self.record)
        record = self.record if isinstance(raw, dict) and "shared_with" in raw else await self.load_full(info)
        return [i for i in (linked(u) for u in people_of(record).shared_with) if i is not None]

    @strawberry.field
    def org(self) -> Annotated[Org, strawberry.lazy("schema.opensolar.org")]:
        return org_of(self.org_id)

    @strawberry.field(description="The project's contacts (from the inlined contacts_data when present).")
    async def contacts(self, info: Info) -> list[Contact] | None:
        record = await self._record_holding(info, "contacts_data")
        return [Contact(org_id=self.org_id, record=c) for c in record.contacts_data]

    @strawberry.field(description="The project's systems (inlined in project detail, else the systems list).")
    async def systems(self, info: Info) -> list[System] | None:
        if self.record.has("systems"):
            return [System(org_id=self.org_id, project_id=self.record.id, record=s) for s in self.record.systems]
        if self.detail_first:
            detail = await self.load_full(info)
            return [System(org_id=self.org_id, project_id=self.record.id, record=s) for s in detail.systems]
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
        include, exclude = detail_parts(include_parts, "includeParts"), detail_parts(exclude_parts, "excludeParts")
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
