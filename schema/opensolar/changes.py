"""Live updates: ``projectChanged(orgId)`` over graphql-transport-ws, fed by OpenSolar's webhooks.

The webhook receiver publishes each change on the event bus (Redis pub/sub across replicas).
A subscriber first proves it may read the org (one read with its own credential); each change is
then checked against the org it names, and, when the payload does not name one, by reading the
project with the subscriber's credential, so no tenant ever sees another's changes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum
from typing import Any

import strawberry

from gateway.errors import GatewayError
from gateway.events import CHANGES_CHANNEL
from schema.info import Info
from schema.loaders import Loaders
from schema.opensolar.projects import Project

__all__ = ["ChangeEvent", "ProjectChange", "Subscription"]


@strawberry.enum
class ChangeEvent(Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


@strawberry.type(description="A change OpenSolar reported for a project.")
class ProjectChange:
    project_id: strawberry.ID
    event: ChangeEvent
    changed_fields: list[str]
    project: Project | None = strawberry.field(description="The project now (null when it was deleted).")


async def _visible(info: Info, org_id: int, message: dict[str, Any]) -> bool:
    named_org = message.get("org_id")
    if named_org is not None:
        return str(named_org) == str(org_id)
    context = info.context
    fresh = Loaders(context.services.opensolar, context.services.arcadia, context.token)  # not a stale memo
    try:
        await fresh.project.load((org_id, int(message["model_id"])))
    except GatewayError:
        return False
    return True


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Changes to the org's projects, as OpenSolar's webhooks report them.")
    async def project_changed(
        self, info: Info, org_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ProjectChange, None]:
        org = info.context.org_id(org_id)
        await info.context.loaders.org.load(org)  # UNAUTHENTICATED / FORBIDDEN before anything is sent
        async for message in info.context.services.bus.subscribe(CHANGES_CHANNEL):
            if str(message.get("model", "")).lower() != "project" or not await _visible(info, org, message):
                continue
            project_id = int(message["model_id"])
            event = ChangeEvent(message["event"])
            yield ProjectChange(
                project_id=strawberry.ID(str(project_id)),
                event=event,
                changed_fields=[str(f) for f in message.get("fields") or []],
                project=None if event is ChangeEvent.DELETE else Project.from_id(org, project_id),
            )
