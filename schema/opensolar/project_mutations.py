"""Project mutations: create, PATCH, delete, stage move, usage, team assignment and sharing.

Each checks its input before any upstream call, makes one upstream write (plus, for a stage move
without ``workflowId``, one cached project read), is never retried, returns the upstream's record
and evicts what it made stale on every replica. Creates and updates count against OpenSolar's
Create/Update Project quota (10/min per user, 10,000/day per org): past it the gateway answers
``THROTTLED`` with ``retryAfter`` and never sends the call.
"""

# Deliberate repetition (`duplicates` lists it): Strawberry reads each mutation's arguments from its own
# signature, so mutations taking (info, id, input, org_id) share that shape; their bodies share `start()`.

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import strawberry

from gateway.errors import BadRequestError
from gateway.upstream.opensolar.cache_policy import tag
from schema.info import Info
from schema.opensolar.checks import id_list
from schema.opensolar.pipeline_inputs import TeamAssignmentInput, UsageInput, team_body, usage_body
from schema.opensolar.project_inputs import ProjectCreateInput, ProjectPatch, project_body
from schema.opensolar.projects import Project
from schema.opensolar.writing import Change, Deleted, OrgArg, ProjectId, Write, arg, start
from schema.relay.global_ids import decode

__all__ = ["ProjectMutations"]

MAX_SHARED_ORGS = 50
WRITE_COST = "1 upstream call, counted against Update Project (10/min per user, 10,000/day per org)."


async def _patched(write: Write, project_id: int, body: Mapping[str, Any]) -> Project:
    """PATCH the project, evict what it made stale on every replica, and return the upstream's record."""
    record = await write.client.update_project(write.token, write.org_id, project_id, body)
    await write.done("project", project_id, Change.UPDATE)
    return Project(org_id=write.org_id, record=record)


@strawberry.type
class ProjectMutations:
    @strawberry.mutation(
        description="Create a project (POST, with contactsNew). 1 upstream call, counted against Create Project "
        "(10/min per user, 10,000/day per org); OpenSolar charges the org's API Access wallet per project, and "
        "answers PLAN_REQUIRED (reason WALLET_EMPTY) when the wallet is empty."
    )
    async def create_project(
        self, info: Info, input: Annotated[ProjectCreateInput, arg("The new project.")], org_id: OrgArg = None
    ) -> Project:
        write = start(info, org_id)
        body = project_body(input, write.link, write.org_id)
        record = await write.client.create_project(write.token, write.org_id, body)
        await write.done("project", record.id, Change.CREATE)
        if input.contacts_new:
            await write.evict({tag(write.org_id, "list", "contacts")})
        return Project(org_id=write.org_id, record=record)

    @strawberry.mutation(description=f"Change a project's writable fields (PATCH: only those given). {WRITE_COST}")
    async def update_project(
        self,
        info: Info,
        id: ProjectId,
        input: Annotated[ProjectPatch, arg("The fields to change.")],
        org_id: OrgArg = None,
    ) -> Project:
        write = start(info, org_id, id)
        project_id = write.id(id, "id", "Project")
        body = project_body(input, write.link, write.org_id)
        if not body:
            raise BadRequestError("Nothing to update: give at least one field.", argument="input")
        return await _patched(write, project_id, body)

    @strawberry.mutation(description="Delete a project (DELETE). 1 upstream call; it cannot be undone.")
    async def delete_project(self, info: Info, id: ProjectId, org_id: OrgArg = None) -> Deleted:
        write = start(info, org_id, id)
        return await write.delete(id, "Project", write.client.delete_project, stale="project", kind="project")

    @strawberry.mutation(
        description="Move a project to a workflow stage (Org.workflows lists them), as the reference shows: "
        f"PATCH workflow {{workflow_id, active_stage_id}}. {WRITE_COST} Without workflowId, the project's current "
        "workflow is read first (1 cached project-detail read)."
    )
    async def move_project_stage(
        self,
        info: Info,
        id: ProjectId,
        stage_id: Annotated[
            strawberry.ID,
            arg("The stage's global id (which also names its workflow) or upstream integer id (Org.workflows)."),
        ],
        workflow_id: Annotated[
            strawberry.ID | None,
            arg(
                "The stage's workflow (global id or upstream integer id); default: the workflow a stage's global id "
                "names, else the project's current."
            ),
        ] = None,
        org_id: OrgArg = None,
    ) -> Project:
        write = start(info, org_id, id)
        project_id, stage = write.id(id, "id", "Project"), write.id(stage_id, "stageId", "WorkflowStage")
        flow = write.id(workflow_id, "workflowId", "OrgWorkflow") if workflow_id is not None else None
        if flow is None and not stage_id.isdigit():
            flow = decode(stage_id, "stageId").key[1]  # a stage's global id names its workflow
        if flow is None:
            current = await info.context.loaders.project.load((write.org_id, project_id))
            flow = current.workflow.workflow_id if current.workflow else None
            if flow is None:
                raise BadRequestError("The project has no workflow: pass workflowId.", argument="workflowId")
        body = {"workflow": {"workflow_id": flow, "active_stage_id": stage}, "active_stage_id": stage}
        return await _patched(write, project_id, body)

    @strawberry.mutation(
        description="Set a project's energy usage (PATCH usage); each source's value count is checked first. "
        f"{WRITE_COST}"
    )
    async def update_project_usage(
        self,
        info: Info,
        id: ProjectId,
        input: Annotated[UsageInput, arg("The usage and its source.")],
        org_id: OrgArg = None,
    ) -> Project:
        write = start(info, org_id, id)
        project_id = write.id(id, "id", "Project")
        return await _patched(write, project_id, usage_body(input))

    @strawberry.mutation(
        description="Assign team members (designer, salesperson, installer, site inspector, assigned role) by "
        f"role id (PATCH role links). {WRITE_COST}"
    )
    async def assign_project_team(
        self,
        info: Info,
        id: ProjectId,
        input: Annotated[TeamAssignmentInput, arg("Who to assign; null unassigns.")],
        org_id: OrgArg = None,
    ) -> Project:
        write = start(info, org_id, id)
        project_id = write.id(id, "id", "Project")
        return await _patched(write, project_id, team_body(input, write.link, write.org_id))

    @strawberry.mutation(
        description="Share a project with connected orgs (Teams): PUT shared_with, replacing the list ([] unshares). "
        f"{WRITE_COST}"
    )
    async def share_project(
        self,
        info: Info,
        id: ProjectId,
        org_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Connected org ids to share with (at most {MAX_SHARED_ORGS}); [] unshares."
            ),
        ],
        org_id: OrgArg = None,
    ) -> Project:
        write = start(info, org_id, id)
        project_id = write.id(id, "id", "Project")
        shared = id_list(org_ids, "orgIds", MAX_SHARED_ORGS, "Org")
        body = {"shared_with": [write.client.org_link(o) for o in shared]}
        record = await write.client.replace_project(write.token, write.org_id, project_id, body)
        await write.done("project", project_id, Change.UPDATE)
        return Project(org_id=write.org_id, record=record)
