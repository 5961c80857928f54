"""Workflow mutations: create (POST), replace (PUT: the whole workflow, as the docs say) and delete.

Each is one upstream call, never retried, and evicts the cached workflows (lists and details, which
also name every project's stage) on every replica.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.errors import BadRequestError
from schema.info import Info
from schema.opensolar.checks import optional_id, text
from schema.opensolar.people import OrgWorkflow
from schema.opensolar.writing import Change, Deleted, OrgArg, arg, start

__all__ = ["WorkflowInput", "WorkflowMutations", "WorkflowStageInput"]

MAX_STAGES = 50


@strawberry.input(description="A stage of a workflow being written.")
class WorkflowStageInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="An existing stage's id; null: a new stage.")
    title: str = strawberry.field(description="The stage's name (1 to 100 characters).")
    milestone: int = strawberry.field(description="0 Presale, 1 Lock Pricing, 2 Sold, 3 Installed, 4 Others.")


@strawberry.input(description="A whole workflow: its title and every stage, in order.")
class WorkflowInput:
    title: str = strawberry.field(description="The workflow's name (1 to 100 characters).")
    description: str | None = strawberry.field(default=None, description="A description (at most 1,000 characters).")
    stages: list[WorkflowStageInput] = strawberry.field(description=f"Its stages in order (1 to {MAX_STAGES}).")
    is_archived: bool = strawberry.field(default=False, description="Archive it (no new projects enter it).")


def workflow_body(given: WorkflowInput, org_id: int) -> dict[str, Any]:
    """The upstream body of a whole workflow; a stage's global id must name a stage of ``org_id``."""
    if not 1 <= len(given.stages) <= MAX_STAGES:
        raise BadRequestError(f"input.stages takes 1 to {MAX_STAGES} stages.", argument="input.stages")
    stages = []
    for index, stage in enumerate(given.stages):
        where = f"input.stages.{index}"
        if not 0 <= stage.milestone <= 4:
            raise BadRequestError(f"{where}.milestone must be 0 to 4.", argument=f"{where}.milestone")
        item: dict[str, Any] = {
            "title": text(stage.title, f"{where}.title", 100, required=True),
            "milestone": stage.milestone,
            "order": index,
        }
        if (stage_id := optional_id(stage.id, f"{where}.id", "WorkflowStage", org_id)) is not None:
            item["id"] = stage_id
        stages.append(item)
    return {
        "title": text(given.title, "input.title", 100, required=True),
        "description": text(given.description, "input.description", 1000) or "",
        "is_archived": given.is_archived,
        "workflow_stages": stages,
    }


WorkflowId = Annotated[strawberry.ID, arg("The workflow's global id or upstream integer id.")]
Whole = Annotated[WorkflowInput, arg("The whole workflow.")]


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(description="Create a workflow (POST). 1 upstream call.")
    async def create_workflow(self, info: Info, input: Whole, org_id: OrgArg = None) -> OrgWorkflow:
        write = start(info, org_id)
        record = await write.client.create_workflow(write.token, write.org_id, workflow_body(input, write.org_id))
        await write.done("workflow", record.id, Change.CREATE)
        return OrgWorkflow(org_id=write.org_id, record=record)

    @strawberry.mutation(description="Replace a workflow (PUT: stages left out are removed). 1 upstream call.")
    async def replace_workflow(self, info: Info, id: WorkflowId, input: Whole, org_id: OrgArg = None) -> OrgWorkflow:
        write = start(info, org_id, id)
        workflow_id = write.id(id, "id", "OrgWorkflow")
        record = await write.client.replace_workflow(
            write.token, write.org_id, workflow_id, workflow_body(input, write.org_id)
        )
        await write.done("workflow", workflow_id, Change.UPDATE)
        return OrgWorkflow(org_id=write.org_id, record=record)

    @strawberry.mutation(description="Delete a workflow (DELETE; refused while projects are in it). 1 upstream call.")
    async def delete_workflow(self, info: Info, id: WorkflowId, org_id: OrgArg = None) -> Deleted:
        write = start(info, org_id, id)
        return await write.delete(id, "OrgWorkflow", write.client.delete_workflow, stale="workflow", kind="workflow")
