"""What a global id names, read through the request's loaders (batched, de-duplicated, per credential).

Each node type reads exactly what its own lookup field reads (``Org.project(id:)`` and ``node`` share
the loader key), so ``node``/``nodes`` cost no more upstream calls than the fields they replace, and
another org's id goes upstream under the caller's credential like any read: OpenSolar answers
FORBIDDEN or NOT_FOUND, never the gateway from a cache.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from gateway.errors import NotFoundError
from schema.incentives.types import Incentive
from schema.info import Info
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


async def _org(info: Info, key: tuple[int, ...]) -> Node:
    await info.context.loaders.org.load(key[0])
    return Org(org_id=key[0])


async def _project(info: Info, key: tuple[int, ...]) -> Node:
    org, project = key
    return Project(org_id=org, record=await info.context.loaders.project.load((org, project)))


async def _contact(info: Info, key: tuple[int, ...]) -> Node:
    org, contact = key
    return Contact(org_id=org, record=await info.context.loaders.contact.load((org, contact)))


async def _system(info: Info, key: tuple[int, ...]) -> Node:
    org, system = key
    return System(org_id=org, project_id=None, record=await info.context.loaders.system.load((org, system)))


async def _file(info: Info, key: tuple[int, ...]) -> Node:
    org, file = key
    return PrivateFile(org_id=org, record=await info.context.loaders.private_file.load((org, file)))


async def _webhook(info: Info, key: tuple[int, ...]) -> Node:
    org, hook = key
    return Webhook(org_id=org, record=await info.context.loaders.webhook.load((org, hook)))


async def _role(info: Info, key: tuple[int, ...]) -> Node:
    org, role = key
    return Role(org_id=org, record=await info.context.loaders.role.load((org, role)))


async def _workflow(info: Info, key: tuple[int, ...]) -> Node:
    org, workflow = key
    return OrgWorkflow(org_id=org, record=await info.context.loaders.workflow.load((org, workflow)))


async def _stage(info: Info, key: tuple[int, ...]) -> Node:
    org, workflow, stage = key
    record = await info.context.loaders.workflow.load((org, workflow))
    found = next((s for s in record.workflow_stages if s.id == stage), None)
    if found is None:
        raise NotFoundError(f"Workflow {workflow} has no stage {stage}.", upstream="opensolar")
    return WorkflowStage(org_id=org, workflow_id=workflow, record=found)


async def _event(info: Info, key: tuple[int, ...]) -> Node:
    org, event = key
    return Event(org_id=org, record=await info.context.loaders.event.load((org, event)))


async def _incentive(info: Info, key: tuple[int, ...]) -> Node:
    # Query.incentive(id:)'s defaults, so both share one loader key
    return Incentive(record=await info.context.loaders.incentive.load((key[0], True, False)), inputs={})


READERS: dict[str, Callable[[Info, tuple[int, ...]], Awaitable[Node]]] = {
    "Org": _org,
    "Project": _project,
    "Contact": _contact,
    "System": _system,
    "PrivateFile": _file,
    "Webhook": _webhook,
    "Role": _role,
    "OrgWorkflow": _workflow,
    "WorkflowStage": _stage,
    "Event": _event,
    "Incentive": _incentive,
}


async def resolve_node(info: Info, found: GlobalId) -> Node:
    return await READERS[found.type_name](info, found.key)
