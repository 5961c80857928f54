"""The small types a project's fields return: design status, workflow position, team member, serial numbers."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.upstream.opensolar.models import Workflow as WorkflowRef
from schema.info import Info
from schema.opensolar.people import OrgWorkflow, WorkflowStage
from schema.opensolar.project_people import stage_of

__all__ = ["DesignStatus", "SerialNumbers", "TeamMember", "Workflow"]


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


@strawberry.type(description="Serial numbers recorded on the project, as free text.")
class SerialNumbers:
    panels: str | None = strawberry.field(description="Panel serial numbers (serial_numbers_panels).")
    inverters: str | None = strawberry.field(description="Inverter serial numbers (serial_numbers_inverters).")
    batteries: str | None = strawberry.field(description="Battery serial numbers (serial_numbers_batteries).")
