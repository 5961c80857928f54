"""The people and the pipeline: team members (roles), workflows and their stages, events, tags, tariffs."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.upstream.opensolar.models import id_from_url
from gateway.upstream.opensolar.people import EventRecord, RoleRecord, StageRecord, WorkflowRecord
from schema.relay.node import Node

__all__ = ["Event", "OrgWorkflow", "ProjectTag", "Role", "StageAction", "Tariffs", "TeamAssignment", "WorkflowStage"]


@strawberry.type(description="A team member of the org (an OpenSolar role): GET /api/orgs/:org_id/roles/:id/.")
class Role(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[RoleRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    @strawberry.field(description="First name.")
    def first_name(self) -> str | None:
        return self.record.first_name

    @strawberry.field(description="Family name.")
    def family_name(self) -> str | None:
        return self.record.family_name

    @strawberry.field(description="Display name.")
    def display(self) -> str | None:
        return self.record.display

    @strawberry.field(description="The role's email (user_email when the role has none).")
    def email(self) -> str | None:
        return self.record.email or self.record.user_email

    @strawberry.field(description="The role's phone (user_phone when the role has none).")
    def phone(self) -> str | None:
        return self.record.phone or self.record.user_phone

    @strawberry.field(description="Job title.")
    def job_title(self) -> str | None:
        return self.record.job_title

    @strawberry.field(description="Accreditation (e.g. a licence number).")
    def accreditation(self) -> str | None:
        return self.record.accreditation

    @strawberry.field(description="Whether the member administers the org.")
    def is_admin(self) -> bool | None:
        return self.record.is_admin

    @strawberry.field(description="Whether the member is hidden from the team list in OpenSolar.")
    def is_hidden(self) -> bool | None:
        return self.record.is_hidden

    @strawberry.field(description="Whether the member has ever logged in.")
    def has_logged_in(self) -> bool | None:
        return self.record.has_logged_in

    @strawberry.field(description="The member's meeting-booking link, as customers see it.")
    def schedule_meeting_url(self) -> str | None:
        return self.record.schedule_meeting_url


@strawberry.type(description="An action of a workflow stage (a checklist item).")
class StageAction:
    id: strawberry.ID | None = strawberry.field(description="The action's upstream id.")
    title: str | None = strawberry.field(description="What to do.")


@strawberry.type(description="A stage of a workflow.")
class WorkflowStage(Node):
    org_id: strawberry.Private[int]
    workflow_id: strawberry.Private[int]
    record: strawberry.Private[StageRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.workflow_id, self.record.id)

    @strawberry.field(description="The stage's name.")
    def title(self) -> str | None:
        return self.record.title

    @strawberry.field(description="Its milestone: 0 Presale, 1 Lock Pricing, 2 Sold, 3 Installed, 4 Others.")
    def milestone(self) -> int | None:
        return self.record.milestone

    @strawberry.field(description="Position in the workflow, from 0.")
    def order(self) -> int | None:
        return self.record.order

    @strawberry.field(description="Whether the stage is archived.")
    def is_archived(self) -> bool | None:
        return self.record.is_archived

    @strawberry.field(description="The stage's actions.")
    def actions(self) -> list[StageAction]:
        return [
            StageAction(id=strawberry.ID(str(a.id)) if a.id is not None else None, title=a.title)
            for a in self.record.actions
        ]


@strawberry.type(description="A workflow of the org (GET /api/orgs/:org_id/workflows/:id/), with its stages in order.")
class OrgWorkflow(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[WorkflowRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    @strawberry.field(description="The workflow's name.")
    def title(self) -> str | None:
        return self.record.title

    @strawberry.field(description="Its description.")
    def description(self) -> str | None:
        return self.record.description

    @strawberry.field(description="Whether new projects start in it.")
    def is_default(self) -> bool | None:
        return self.record.is_default

    @strawberry.field(description="Whether it is archived.")
    def is_archived(self) -> bool | None:
        return self.record.is_archived

    @strawberry.field(description="Its stages, in order.")
    def stages(self) -> list[WorkflowStage]:
        stages = sorted(self.record.workflow_stages, key=lambda s: s.order or 0)
        return [WorkflowStage(org_id=self.org_id, workflow_id=self.record.id, record=s) for s in stages]


@strawberry.type(description="An event of a project's timeline (events_data), or one event by id.")
class Event(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[EventRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    @strawberry.field(
        description="The event type id (a sparse enum, 0 to 142: 31 Note, 56 Project Stage Changed, ...)."
    )
    def event_type_id(self) -> int | None:
        return self.record.event_type_id

    @strawberry.field(description="Title.")
    def title(self) -> str | None:
        return self.record.title

    @strawberry.field(description="Notes.")
    def notes(self) -> str | None:
        return self.record.notes

    @strawberry.field(description="When it was created.")
    def created_date(self) -> datetime | None:
        return self.record.created_date

    @strawberry.field(description="Whether it is complete (tasks).")
    def is_complete(self) -> bool | None:
        return self.record.is_complete

    @strawberry.field(description="Who did it (display name).")
    def who(self) -> str | None:
        return self.record.who.display if self.record.who else None

    @strawberry.field(description="The project's id.")
    def project_id(self) -> strawberry.ID | None:
        project = self.record.project_id or id_from_url(self.record.project)
        return strawberry.ID(str(project)) if project is not None else None


@strawberry.type(description="A tag on a project (tags_data).")
class ProjectTag:
    id: strawberry.ID | None = strawberry.field(description="The tag's upstream id.")
    title: str | None = strawberry.field(description="The tag's name.")


@strawberry.type(
    description="A member assigned to the project, with email and phone as OpenSolar masks them on the project "
    '("g****@l*******.com", "*****"); the role holds the member\'s own record.'
)
class TeamAssignment:
    role_id: strawberry.ID | None = strawberry.field(description="The role's upstream id.")
    name: str | None = strawberry.field(description="Display name.")
    email: str | None = strawberry.field(description="Email, masked as OpenSolar sends it on the project.")
    phone: str | None = strawberry.field(description="Phone, masked as OpenSolar sends it on the project.")
    role: Role | None = strawberry.field(description="The member's role record (inlined assigned_*_role_data).")


@strawberry.type(description="The project's utility tariffs: what it pays now and what it would pay with solar.")
class Tariffs:
    current_id: strawberry.ID | None = strawberry.field(description="The current tariff's id (utility_tariff_current).")
    proposed_id: strawberry.ID | None = strawberry.field(
        description="The proposed tariff's id (utility_tariff_proposed)."
    )
    current: JSON | None = strawberry.field(
        description="The current tariff, or OpenSolar's guess (utility_tariff_or_guess)."
    )
    proposed: JSON | None = strawberry.field(
        description="The proposed tariff, or OpenSolar's guess (utility_tariff_proposed_or_guess)."
    )
