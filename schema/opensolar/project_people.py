"""A project's people and pipeline, read from the project-detail payload the project already loads.

Project detail carries them (assigned_*_role_data, events_data, tags_data, tariffs, sold/installed facts),
so they cost no call beyond the one project-detail call every detail field shares. A workflow's stage
names come from the org's workflows list (one call, cached, shared by every project of the request).
"""

from __future__ import annotations

import strawberry

from gateway.upstream.opensolar.models import ProjectRecord, Workflow, id_from_url
from gateway.upstream.opensolar.people import ProjectPeople, RoleRecord, StageRecord, WorkflowRecord
from gateway.upstream.tolerant import raw_of, read
from schema.info import Info
from schema.loaders import PageKey
from schema.opensolar.people import Role, TeamAssignment

__all__ = ["ORG_WORKFLOWS_PAGE", "assignment", "linked", "linked_id", "org_workflows", "people_of", "stage_of"]

ORG_WORKFLOWS_PAGE = 100  # one page holds every workflow of an org in practice


def people_of(record: ProjectRecord) -> ProjectPeople:
    raw = raw_of(record)
    return read(ProjectPeople, raw if isinstance(raw, dict) else {"id": record.id})


def assignment(org_id: int, people: ProjectPeople, name: str) -> TeamAssignment | None:
    data: RoleRecord | None = getattr(people, f"{name}_data")
    if data is None:
        return None
    email = getattr(people, f"{name}_email", None) if f"{name}_email" in ProjectPeople.model_fields else None
    phone = getattr(people, f"{name}_phone", None) if f"{name}_phone" in ProjectPeople.model_fields else None
    return TeamAssignment(
        role_id=strawberry.ID(str(data.id)),
        name=data.display,
        email=email,
        phone=phone,
        role=Role(org_id=org_id, record=data),
    )


async def org_workflows(info: Info, org_id: int) -> list[WorkflowRecord]:
    key = PageKey("workflows", org_id, 1, ORG_WORKFLOWS_PAGE)
    return await info.context.loaders.workflows_page.load(key)


async def stage_of(
    info: Info, org_id: int, flow: Workflow
) -> tuple[WorkflowRecord | None, tuple[int, StageRecord] | None]:
    """The project's workflow, and its active stage with the id of the workflow that holds it."""
    flows = await org_workflows(info, org_id)
    workflow = next((w for w in flows if w.id == flow.workflow_id), None)
    holders = [workflow] if workflow else flows
    found = next(((w.id, s) for w in holders for s in w.workflow_stages if s.id == flow.active_stage_id), None)
    return workflow, found


def linked_id(url: str | None) -> str | None:
    found = id_from_url(url)
    return str(found) if found is not None else None


def linked(url: str | None) -> strawberry.ID | None:
    """The id at the end of an OpenSolar hyperlink, as a GraphQL ID."""
    found = linked_id(url)
    return strawberry.ID(found) if found is not None else None
