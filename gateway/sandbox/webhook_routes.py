"""The simulated OpenSolar's webhook registrations: list, create, read, update (PATCH/PUT; no DELETE)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.opensolar_dialect import Caller, json_body, owned, page_of, views_of
from gateway.sandbox.pipeline import HttpError, json_response, sandbox_state
from gateway.sandbox.records import Webhook

__all__ = ["webhook_detail", "webhook_update", "webhooks_create", "webhooks_list"]


async def webhooks_list(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    hooks = [views.data.webhooks[wid] for wid in caller.org.webhook_ids]
    return json_response([views.webhook(w) for w in page_of(request, hooks)])


def _validate_webhook(payload: Any, *, partial: bool) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise HttpError(400, "Invalid data. Expected a dictionary.", field="non_field_errors")
    required = set() if partial else {"endpoint", "enabled", "debug"}
    for name in sorted(required - payload.keys()):
        raise HttpError(400, "This field is required.", field=name)
    if "endpoint" in payload and not (
        isinstance(payload["endpoint"], str) and payload["endpoint"].startswith(("http://", "https://"))
    ):
        raise HttpError(400, "Enter a valid URL.", field="endpoint")
    for name in ("enabled", "debug"):
        if name in payload and not isinstance(payload[name], bool):
            raise HttpError(400, "Must be a valid boolean.", field=name)
    for name in ("trigger_fields", "payload_fields"):
        if name in payload and not (isinstance(payload[name], list) and all(isinstance(v, str) for v in payload[name])):
            raise HttpError(400, "Value must be valid JSON.", field=name)
    if "headers" in payload:
        try:
            headers = json.loads(payload["headers"]) if isinstance(payload["headers"], str) else None
        except ValueError:
            headers = None
        if not isinstance(headers, dict):
            raise HttpError(400, "Value must be valid JSON.", field="headers")
    return payload


async def webhooks_create(request: Request, caller: Caller) -> Response:
    payload = _validate_webhook(await json_body(request), partial=False)
    data = sandbox_state(request).data
    webhook = Webhook(
        data.next_id("webhook"),
        caller.org.id,
        payload["endpoint"],
        payload["enabled"],
        payload["debug"],
        list(payload.get("trigger_fields") or ["project.*", "contact.*"]),
        list(payload.get("payload_fields") or []),
        payload.get("headers") or "{}",
    )
    data.webhooks[webhook.id] = webhook
    caller.org.webhook_ids.append(webhook.id)
    return json_response(views_of(request).webhook(webhook), status=201)


def _webhook(request: Request, caller: Caller) -> Webhook:
    return owned(sandbox_state(request).data.webhooks, request, "webhook_id", caller)


async def webhook_detail(request: Request, caller: Caller) -> Response:
    return json_response(views_of(request).webhook(_webhook(request, caller)))


async def webhook_update(request: Request, caller: Caller) -> Response:
    webhook = _webhook(request, caller)
    if request.method == "DELETE":  # no DELETE is documented; clients disable with PATCH
        raise HttpError(405, 'Method "DELETE" not allowed.', headers={"Allow": "GET, PUT, PATCH, HEAD, OPTIONS"})
    payload = _validate_webhook(await json_body(request), partial=request.method == "PATCH")
    for name in ("endpoint", "enabled", "debug", "trigger_fields", "payload_fields", "headers"):
        if name in payload:
            setattr(webhook, name, payload[name])
    return json_response(views_of(request).webhook(webhook))
