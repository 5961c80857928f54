"""Webhook observability: OpenSolar's process logs and its retry queue (read-only)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.upstream.opensolar.models import id_from_url
from gateway.upstream.opensolar.people import WebhookLogRecord, WebhookQueueRecord

__all__ = ["WebhookLog", "WebhookQueueItem"]


def _id(url: str | None) -> strawberry.ID | None:
    found = id_from_url(url)
    return strawberry.ID(str(found)) if found is not None else None


@strawberry.type(description="One delivery attempt OpenSolar logged (GET /api/orgs/:org_id/webhook_process_logs/).")
class WebhookLog:
    record: strawberry.Private[WebhookLogRecord]

    @strawberry.field(description="The log entry's upstream id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field(description="The webhook's id.")
    def webhook_id(self) -> strawberry.ID | None:
        return _id(self.record.webhook)

    @strawberry.field(description="When it was logged.")
    def created_date(self) -> datetime | None:
        return self.record.created_date

    @strawberry.field(description="Whether the endpoint accepted the delivery.")
    def successful(self) -> bool | None:
        return self.record.successful

    @strawberry.field(description="The model that changed: Project, Contact, Event, Quote or QuoteActivityLog.")
    def model_name(self) -> str | None:
        return self.record.model_name

    @strawberry.field(description="The changed record's id.")
    def model_id(self) -> strawberry.ID | None:
        pk = self.record.model_pk
        return strawberry.ID(str(pk)) if pk is not None else None

    @strawberry.field(description="The event: CREATE, UPDATE or DELETE.")
    def event_name(self) -> str | None:
        return self.record.event_name

    @strawberry.field(description="Notes, e.g. why a delivery failed.")
    def notes(self) -> str | None:
        return self.record.notes


@strawberry.type(description="A delivery waiting for a retry (GET /api/orgs/:org_id/webhook_queue_models/).")
class WebhookQueueItem:
    record: strawberry.Private[WebhookQueueRecord]

    @strawberry.field(description="The queue entry's upstream id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field(description="The webhook's id.")
    def webhook_id(self) -> strawberry.ID | None:
        return _id(self.record.webhook)

    @strawberry.field(description="Delivery attempts so far.")
    def number_of_attempts(self) -> int | None:
        return self.record.number_of_attempts

    @strawberry.field(description="When OpenSolar tries again.")
    def next_attempt_at(self) -> datetime | None:
        return self.record.next_attempt_at

    @strawberry.field(description="The model that changed.")
    def model_name(self) -> str | None:
        return self.record.model_name

    @strawberry.field(description="The changed record's id.")
    def model_id(self) -> strawberry.ID | None:
        pk = self.record.model_pk
        return strawberry.ID(str(pk)) if pk is not None else None

    @strawberry.field(description="The event: CREATE, UPDATE or DELETE.")
    def event(self) -> str | None:
        return self.record.event
