"""What a global id names, read through the request's loaders (batched, de-duplicated, per credential).

Each node type reads exactly what its own lookup field reads (``Org.project(id:)`` and ``node`` share
the loader key), so ``node``/``nodes`` cost no more upstream calls than the fields they replace, and
another org's id goes upstream under the caller's credential like any read: OpenSolar answers
FORBIDDEN or NOT_FOUND, never the gateway from a cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from gateway.errors import NotFoundError
from schema.incentives.types import Incentive
from schema.info import Info
from schema.loaders import Loaders
from schema.memo import Memo
from schema.opensolar.contacts import Contact
from schema.opensolar.files import PrivateFile
from schema.opensolar.org import Org
from schema.opensolar.people import Event, OrgWorkflow, Role, WorkflowStage
from schema.opensolar.projects import Project
from schema.opensolar.systems import System
from schema.opensolar.webhooks import Webhook
from schema.relay.global_ids import GlobalId
from schema.relay.node import Node

__all__ = ["resolve_node"]

R = TypeVar("R")


Reader = Callable[[Info, tuple[int, ...]], Awaitable[Node]]


def _in_org(loader: Callable[[Loaders], Memo[tuple[int, int], R]], wrap: Callable[[int, R], Node]) -> Reader:
    """An org-scoped node: its loader's ``(org, id)`` key, the same one its lookup field uses."""

    async def read(info: Info, key: tuple[int, ...]) -> Node:
        org, item = key
        return wrap(org, await loader(info.context.loaders).load((org, item)))

    return read


async def _org(info: Info, key: tuple[int, ...]) -> Node:
    await info.context.loaders.org.load(key[0])
    return Org(org_id=key[0])


async def _stage(info: Info, key: tuple[int, ...]) -> Node:
    org, workflow, stage = key
    record = await info.context.loaders.workflow.load((org, workflow))
    found = next((s for s in record.workflow_stages if s.id == stage), None)
    if found is None:
        raise NotFoundError(f"Workflow {workflow} has no stage {stage}.", upstream="opensolar")
    return WorkflowStage(org_id=org, workflow_id=workflow, record=found)


async def _incentive(info: Info, key: tuple[int, ...]) -> Node:
    # Query.incentive(id:)'s defaults, so both share one loader key
    return Incentive(record=await info.context.loaders.incentive.load((key[0], True, False)), inputs={})


READERS: dict[str, Reader] = {
    "Org": _org,
    "Project": _in_org(lambda loaders: loaders.project, lambda org, r: Project(org_id=org, record=r)),
    "Contact": _in_org(lambda loaders: loaders.contact, lambda org, r: Contact(org_id=org, record=r)),
    "System": _in_org(lambda loaders: loaders.system, lambda org, r: System(org_id=org, project_id=None, record=r)),
    "PrivateFile": _in_org(lambda loaders: loaders.private_file, lambda org, r: PrivateFile(org_id=org, record=r)),
    "Webhook": _in_org(lambda loaders: loaders.webhook, lambda org, r: Webhook(org_id=org, record=r)),
    "Role": _in_org(lambda loaders: loaders.role, lambda org, r: Role(org_id=org, record=r)),
    "OrgWorkflow": _in_org(lambda loaders: loaders.workflow, lambda org, r: OrgWorkflow(org_id=org, record=r)),
    "WorkflowStage": _stage,
    "Event": _in_org(lambda loaders: loaders.event, lambda org, r: Event(org_id=org, record=r)),
    "Incentive": _incentive,
}


async def resolve_node(info: Info, found: GlobalId) -> Node:
    return await READERS[found.type_name](info, found.key)
