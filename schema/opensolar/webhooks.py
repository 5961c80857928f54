"""Webhooks: the org's registrations, and the mutations that create, update and disable them.

OpenSolar documents no DELETE: clients disable with ``PATCH {"enabled": false}``. The ``headers``
OpenSolar sends back to the receiver are a stringified JSON object upstream; they usually carry a
secret, so the graph exposes only their names. Writes are never retried.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.errors import BadRequestError
from gateway.http.webhooks import org_secret
from gateway.settings import WEBHOOK_SECRET_HEADER
from gateway.upstream.opensolar.models import WebhookRecord
from gateway.upstream.opensolar.stale import Change, write_tags
from schema.context import parse_id
from schema.info import Info
from schema.raw import raw_field, redact_headers
from schema.relay.node import Node

__all__ = ["Webhook", "WebhookInput", "WebhookMutations", "WebhookPatch"]

MAX_FIELDS = 200
MAX_HEADERS = 20


@strawberry.type(description="A webhook registration.")
class Webhook(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[WebhookRecord]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    raw = raw_field(redact=redact_headers)

    @strawberry.field
    def endpoint(self) -> str | None:
        return self.record.endpoint

    @strawberry.field
    def enabled(self) -> bool | None:
        return self.record.enabled

    @strawberry.field
    def debug(self) -> bool | None:
        return self.record.debug

    @strawberry.field
    def trigger_fields(self) -> list[str] | None:
        return self.record.trigger_fields

    @strawberry.field
    def payload_fields(self) -> list[str] | None:
        return self.record.payload_fields

    @strawberry.field(description="Names of the headers OpenSolar sends to the endpoint (values are secrets).")
    def header_names(self) -> list[str] | None:
        return self.record.header_names


@strawberry.input(description="A new webhook. Field paths are model.field (model.* for every field).")
class WebhookInput:
    endpoint: str | None = strawberry.field(
        default=None,
        description="Where OpenSolar posts (an http(s) URL). Leave it out with gatewayReceiver: that always "
        "registers this gateway's own receiver.",
    )
    gateway_receiver: bool = strawberry.field(
        default=False,
        description="Register this gateway's receiver for the org (GATEWAY_PUBLIC_URL + /webhooks/opensolar/<org "
        "id>) with the org's own secret header, so OpenSolar's changes evict the gateway's cache and reach "
        "subscriptions. Needs GATEWAY_WEBHOOK_SECRET and GATEWAY_PUBLIC_URL; endpoint and headers must be left out.",
    )
    enabled: bool = True
    debug: bool = False
    trigger_fields: list[str] | None = None
    payload_fields: list[str] | None = None
    headers: JSON | None = strawberry.field(
        default=None, description="Headers OpenSolar sends to the endpoint, as an object of strings."
    )


@strawberry.input(description="Changes to a webhook; omitted fields stay as they are.")
class WebhookPatch:
    endpoint: str | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    debug: bool | None = strawberry.UNSET
    trigger_fields: list[str] | None = strawberry.UNSET
    payload_fields: list[str] | None = strawberry.UNSET
    headers: JSON | None = strawberry.UNSET


def _body(values: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in values.items():
        if value is strawberry.UNSET:
            continue
        if name == "endpoint" and not (isinstance(value, str) and value.startswith(("https://", "http://"))):
            raise BadRequestError("endpoint must be an http(s) URL.", argument="endpoint")
        if name in {"trigger_fields", "payload_fields"} and value is not None and len(value) > MAX_FIELDS:
            raise BadRequestError(f"{name} takes at most {MAX_FIELDS} paths.", argument=name)
        if name in {"enabled", "debug"} and value is None:
            raise BadRequestError(f"{name} cannot be null.", argument=name)
        if name == "headers":
            value = _headers(value)
        body[name] = value
    return body


def _headers(value: Any) -> str | None:
    if value is None:
        return None
    if not (
        isinstance(value, dict)
        and len(value) <= MAX_HEADERS
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise BadRequestError(f"headers must be an object of at most {MAX_HEADERS} string values.", argument="headers")
    return json.dumps(value)  # OpenSolar takes headers as a stringified JSON object


DEFAULT_TRIGGERS = ["project.*", "contact.*", "event.*"]


def _receiver(info: Info, given: WebhookInput, org: int) -> tuple[str, dict[str, str]]:
    """Only ever this gateway's own receiver for the org, with that org's secret (never a caller's URL)."""
    receiver = info.context.receiver
    if receiver.secret is None:
        raise BadRequestError(
            "Set GATEWAY_WEBHOOK_SECRET to register the gateway's receiver.", argument="gatewayReceiver"
        )
    if not receiver.public_url or not receiver.public_url.startswith(("https://", "http://")):
        raise BadRequestError(
            "Set GATEWAY_PUBLIC_URL (this gateway's public http(s) origin) to register its receiver.",
            argument="gatewayReceiver",
        )
    if given.endpoint is not None:
        raise BadRequestError(
            "gatewayReceiver registers this gateway's own receiver (GATEWAY_PUBLIC_URL): leave endpoint out.",
            argument="endpoint",
        )
    if given.headers is not None:
        raise BadRequestError("gatewayReceiver sets the headers itself: leave headers out.", argument="headers")
    endpoint = f"{receiver.public_url.rstrip('/')}/webhooks/opensolar/{org}"
    return endpoint, {WEBHOOK_SECRET_HEADER: org_secret(receiver.secret.get_secret_value(), org)}


async def _evict(info: Info, org: int) -> None:
    """The org's cached webhook list is stale on every replica (it lived up to its 30 s TTL before)."""
    await info.context.changes.invalidate(write_tags(org, "webhook", None, Change.UPDATE))


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a webhook with OpenSolar.")
    async def create_webhook(
        self, info: Info, input: WebhookInput, org_id: strawberry.ID | None = None
    ) -> Webhook | None:
        org = info.context.org_id(org_id)
        endpoint, headers = _receiver(info, input, org) if input.gateway_receiver else (input.endpoint, input.headers)
        if endpoint is None:
            raise BadRequestError("endpoint is required (or set gatewayReceiver: true).", argument="endpoint")
        triggers = input.trigger_fields or (DEFAULT_TRIGGERS if input.gateway_receiver else None)
        body = _body(
            {
                "endpoint": endpoint,
                "enabled": input.enabled,
                "debug": input.debug,
                "trigger_fields": triggers,
                "payload_fields": input.payload_fields,
                "headers": headers,
            }
        )
        body = {k: v for k, v in body.items() if v is not None}
        record = await info.context.opensolar.create_webhook(info.context.loaders.token, org, body)
        await _evict(info, org)
        return Webhook(org_id=org, record=record)

    @strawberry.mutation(description="Change a webhook (PATCH: only the given fields).")
    async def update_webhook(
        self, info: Info, id: strawberry.ID, input: WebhookPatch, org_id: strawberry.ID | None = None
    ) -> Webhook | None:
        org = info.context.org_id(org_id, id)
        body = _body(
            {
                name: getattr(input, name)
                for name in ("endpoint", "enabled", "debug", "trigger_fields", "payload_fields", "headers")
            }
        )
        if not body:
            raise BadRequestError("Nothing to update: give at least one field.", argument="input")
        record = await info.context.opensolar.update_webhook(
            info.context.loaders.token, org, parse_id(id, "webhook id", "Webhook", org), body
        )
        await _evict(info, org)
        return Webhook(org_id=org, record=record)

    @strawberry.mutation(description="Disable a webhook (OpenSolar has no delete; this PATCHes enabled=false).")
    async def disable_webhook(
        self, info: Info, id: strawberry.ID, org_id: strawberry.ID | None = None
    ) -> Webhook | None:
        org = info.context.org_id(org_id, id)
        record = await info.context.opensolar.update_webhook(
            info.context.loaders.token, org, parse_id(id, "webhook id", "Webhook", org), {"enabled": False}
        )
        await _evict(info, org)
        return Webhook(org_id=org, record=record)
