"""Live updates over graphql-transport-ws, fed by OpenSolar's webhooks: one subscription per model.

The webhook receiver authenticates the org (a per-org secret) and publishes each change on the event
bus (a Redis stream across replicas), evicting what it made stale first. A subscriber first proves it
may read the org (one read with its own credential). It then hears only changes whose authenticated
org is its org (the payload's ``org_id`` is never trusted), and only about records its own credential
can read in that org: each change is read fresh (new loaders and a new design memo per event, so the
second change to a project carries the second change's data), and a record that is not there or not
its own (``NOT_FOUND``/``FORBIDDEN``) is never announced. A subscriber more than
``GATEWAY_SUBSCRIBER_QUEUE`` changes behind is closed with ``SLOW_SUBSCRIBER``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.errors import ForbiddenError, GatewayError, NotFoundError, UnauthenticatedError
from gateway.upstream.opensolar.models import ContactRecord
from schema.context import Context
from schema.info import Info
from schema.loaders import Loaders
from schema.opensolar.contacts import Contact
from schema.opensolar.projects import Project

__all__ = ["ActivityChange", "ActivityModel", "ChangeEvent", "ContactChange", "ProjectChange", "Subscription"]

NOT_VISIBLE = (NotFoundError, ForbiddenError, UnauthenticatedError)
OrgArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The org (default: the gateway's configured org); the subscriber must be able to read it."
    ),
]


@strawberry.enum(description="What happened to the record, as OpenSolar's webhook reports it.")
class ChangeEvent(Enum):
    CREATE = strawberry.enum_value("CREATE", description="The record was created.")
    UPDATE = strawberry.enum_value("UPDATE", description="One or more of the record's fields changed.")
    DELETE = strawberry.enum_value("DELETE", description="The record was deleted (it can no longer be read).")


@strawberry.enum(description="The kinds of project activity OpenSolar's webhooks report.")
class ActivityModel(Enum):
    EVENT = strawberry.enum_value("event", description="A timeline event (note, task, email, stage change...).")
    QUOTE = strawberry.enum_value("quote", description="A quote.")
    QUOTE_ACTIVITY = strawberry.enum_value(
        "quoteactivitylog", description="A quote activity log entry (OpenSolar sends CREATE and DELETE only)."
    )


CHANGED_FIELDS = (
    "Names of the fields OpenSolar sent with the change (filtered by the webhook's payload_fields; "
    "empty for DELETE). The values are not passed on: read them through the record."
)


@strawberry.type(description="A change OpenSolar reported for one of the org's projects.")
class ProjectChange:
    project_id: strawberry.ID = strawberry.field(description="The project's id.")
    event: ChangeEvent = strawberry.field(description="What happened to it.")
    changed_fields: list[str] = strawberry.field(description=CHANGED_FIELDS)
    project: Project | None = strawberry.field(
        description="The project as it is now, read with the subscriber's credential when this change is "
        "delivered (one project-detail call, 100/min per user); null when it was deleted."
    )


@strawberry.type(description="A change OpenSolar reported for one of the org's contacts.")
class ContactChange:
    contact_id: strawberry.ID = strawberry.field(description="The contact's id.")
    event: ChangeEvent = strawberry.field(description="What happened to it.")
    changed_fields: list[str] = strawberry.field(description=CHANGED_FIELDS)
    contact: Contact | None = strawberry.field(
        description="The contact as it is now, read with the subscriber's credential when this change is "
        "delivered (one contact call); null when it was deleted."
    )


@strawberry.type(
    description="A change to a project's activity (an event, a quote or a quote activity log entry). The gateway "
    "has no typed reader for these records yet: the change names the record and its project."
)
class ActivityChange:
    id: strawberry.ID = strawberry.field(description="The id of the event, quote or quote activity log entry.")
    model: ActivityModel = strawberry.field(description="Which kind of record changed.")
    event: ChangeEvent = strawberry.field(description="What happened to it.")
    changed_fields: list[str] = strawberry.field(description=CHANGED_FIELDS)
    project_id: strawberry.ID | None = strawberry.field(
        description="The project it belongs to (from the payload's project link; null when OpenSolar sent none)."
    )
    project: Project | None = strawberry.field(
        description="That project as it is now, read with the subscriber's credential (one project-detail call); "
        "null when the change names no project."
    )


def _fresh(context: Context) -> Loaders:
    """New loaders (and design memo) for one event: nothing read for an earlier event is reused.

    Strawberry keeps one context per WebSocket connection; each event replaces its loaders before it
    is resolved, so every field of this event reads through the upstream cache the webhook just evicted.
    """
    context.loaders = Loaders(context.opensolar, context.arcadia, context.token)
    context.designs = {}
    return context.loaders


async def _visible(read: Awaitable[Any]) -> bool:
    """Whether the subscriber's credential can read the record now; a transient failure still delivers
    (the change is the authenticated org's; the field then shows the error at its own path)."""
    try:
        await read
    except NOT_VISIBLE:
        return False
    except GatewayError:
        return True
    return True


async def _changes(info: Info, org_id: strawberry.ID | None, model: str) -> AsyncGenerator[dict[str, Any], None]:
    """The org's changes to ``model``, after the subscriber proved it can read the org."""
    context = info.context
    org = context.org_id(org_id)
    await context.loaders.org.load(org)  # UNAUTHENTICATED / FORBIDDEN before anything is sent
    async for message in context.changes.subscribe():
        if message.get("org_id") == org and message.get("model") == model and isinstance(message.get("model_id"), int):
            yield message


def _event(message: dict[str, Any]) -> ChangeEvent:
    return ChangeEvent(message["event"])


def _fields(message: dict[str, Any]) -> list[str]:
    return [str(name) for name in message.get("fields") or []]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Changes to the org's projects, as OpenSolar's webhooks report them (the gateway's receiver "
        "must be registered: createWebhook(input: {gatewayReceiver: true}))."
    )
    async def project_changed(self, info: Info, org_id: OrgArgument = None) -> AsyncGenerator[ProjectChange, None]:
        org = info.context.org_id(org_id)
        async for message in _changes(info, org_id, "project"):
            project_id, event = message["model_id"], _event(message)
            loaders = _fresh(info.context)
            if event is not ChangeEvent.DELETE and not await _visible(loaders.project.load((org, project_id))):
                continue
            yield ProjectChange(
                project_id=strawberry.ID(str(project_id)),
                event=event,
                changed_fields=_fields(message),
                project=None if event is ChangeEvent.DELETE else Project.from_id(org, project_id),
            )

    @strawberry.subscription(description="Changes to the org's contacts, as OpenSolar's webhooks report them.")
    async def contact_changed(self, info: Info, org_id: OrgArgument = None) -> AsyncGenerator[ContactChange, None]:
        org = info.context.org_id(org_id)
        async for message in _changes(info, org_id, "contact"):
            contact_id, event = message["model_id"], _event(message)
            loaders = _fresh(info.context)
            if event is not ChangeEvent.DELETE and not await _visible(loaders.contact.load((org, contact_id))):
                continue
            contact = Contact(org_id=org, record=ContactRecord.model_validate({"id": contact_id}))
            yield ContactChange(
                contact_id=strawberry.ID(str(contact_id)),
                event=event,
                changed_fields=_fields(message),
                contact=None if event is ChangeEvent.DELETE else contact,
            )

    @strawberry.subscription(
        description="Changes to the activity of the org's projects: timeline events, quotes and quote activity "
        "log entries, as OpenSolar's webhooks report them. Only changes whose project the subscriber can read "
        "(or that name no project) are sent."
    )
    async def activity_changed(
        self,
        info: Info,
        org_id: OrgArgument = None,
        models: Annotated[
            list[ActivityModel] | None,
            strawberry.argument(description="Which kinds of activity to hear about (default: all of them)."),
        ] = None,
    ) -> AsyncGenerator[ActivityChange, None]:
        org = info.context.org_id(org_id)
        wanted = set(models or ActivityModel)
        context = info.context
        await context.loaders.org.load(org)
        async for message in context.changes.subscribe():
            kind = next((m for m in ActivityModel if m.value == message.get("model")), None)
            if kind not in wanted or message.get("org_id") != org or not isinstance(message.get("model_id"), int):
                continue
            loaders = _fresh(context)
            project_id = message.get("project_id")
            if isinstance(project_id, int) and not await _visible(loaders.project.load((org, project_id))):
                continue
            assert kind is not None
            yield ActivityChange(
                id=strawberry.ID(str(message["model_id"])),
                model=kind,
                event=_event(message),
                changed_fields=_fields(message),
                project_id=strawberry.ID(str(project_id)) if isinstance(project_id, int) else None,
                project=Project.from_id(org, project_id) if isinstance(project_id, int) else None,
            )
