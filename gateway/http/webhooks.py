"""``POST /webhooks/opensolar/<org id>``: OpenSolar's webhook payloads evict what they make stale.

OpenSolar documents no signature; it sends back the ``headers`` a webhook was registered with, and any
user of the org can read them back upstream. So each org gets its own secret, an HMAC of its id under
``GATEWAY_WEBHOOK_SECRET`` (``org_secret``): the receiver recomputes it from the org in the path and
compares in constant time (401 otherwise), so one org's secret forges nothing for another. The org of
an event is that authenticated org, never the payload's ``org_id``; its cache tags are that org's. The
payload is ``{model, model_id, event, fields}``; the affected tags are evicted here and published
(``gateway.response_cache.invalidation.invalidate``) so every replica evicts too, and subscribers of that org hear of
the change (``announce``). The eviction is done before the 2xx is sent (no queue in between). A project
UPDATE whose record shows its systems' inputs unchanged since the last one evicts the project's record
and list pages only, not its systems, system details and proposal (``project_inputs.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.bus import CHANGES_CHANNEL
from gateway.settings import WEBHOOK_SECRET_HEADER as SECRET_HEADER
from gateway.upstream.opensolar.cache_policy import related_project, webhook_tags

if TYPE_CHECKING:
    from gateway.runtime import ChangeFeed, Runtime

__all__ = ["announce", "opensolar_webhook", "org_secret"]

logger = logging.getLogger("gateway.webhooks")
# Raw Data orgs receive the whole design inside project payloads; 8 MiB covers large ones.
MAX_WEBHOOK_BYTES = 8 * 1024 * 1024
MODELS = {"project", "contact", "event", "quote", "quoteactivitylog"}
EVENTS = {"CREATE", "UPDATE", "DELETE"}


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> tuple[str, int, str, dict[str, Any]] | None:
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    model, model_id, event = str(payload.get("model", "")).lower(), payload.get("model_id"), payload.get("event")
    if model not in MODELS or event not in EVENTS:
        return None
    number = _positive_id(model_id)  # a positive id, as a number or digits (true and false read as words: none)
    if number is None:
        return None
    fields = payload.get("fields")
    return model, number, event, fields if isinstance(fields, dict) else {}


def org_secret(master: str, org_id: int) -> str:
    """The secret header value of one org's receiver: HMAC-SHA256 of its id under the gateway's secret."""
    return hmac.new(master.encode(), f"opensolar-webhook:org:{org_id}".encode(), hashlib.sha256).hexdigest()


def _positive_id(raw: object) -> int | None:
    text = str(raw)  # None, "", 0 and booleans are no digits or no positive number
    return int(text) if text.isdigit() and len(text) <= 18 and int(text) > 0 else None


async def announce(
    changes: ChangeFeed, org_id: int, model: str, model_id: int, event: str, fields: dict[str, Any] | None = None
) -> tuple[int, list[str]]:
    """Evict what a change to ``model`` ``model_id`` in ``org_id`` made stale (here and on every replica)
    and tell the org's subscribers, on every replica. Never raises: with Redis down the eviction waits
    for it (``RedisStore``) and the messages for the other replicas wait in the bus's outbox.
    Returns the entries evicted here and the tags.
    """
    fields = fields or {}
    same = model.lower() == "project" and event == "UPDATE" and changes.inputs.unchanged(org_id, model_id, fields)
    tags = sorted(webhook_tags(org_id, model, model_id, event, fields, systems_unchanged=same))
    evicted = await changes.invalidate(tags)
    change = {
        "org_id": org_id,
        "model": model.lower(),
        "model_id": model_id,
        "event": event,
        "project_id": related_project(fields),
        "fields": sorted(str(name) for name in fields),
    }
    await changes.bus.publish(CHANGES_CHANNEL, change)
    return evicted, tags


async def opensolar_webhook(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    secret = runtime.settings.webhook_secret
    if secret is None:
        return _problem(404, "The webhook receiver is off: set GATEWAY_WEBHOOK_SECRET.")
    org = _positive_id(request.path_params.get("org_id"))
    if org is None:
        return _problem(404, "Receivers are per org: /webhooks/opensolar/<org id> (createWebhook registers it).")
    given, expected = request.headers.get(SECRET_HEADER, ""), org_secret(secret.get_secret_value(), org)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return _problem(401, f"Missing or wrong {SECRET_HEADER} for this org.")
    raw = await _body(request)
    if raw is None:
        return _problem(413, f"Webhook payloads are limited to {MAX_WEBHOOK_BYTES} bytes.")
    parsed = _parse(raw)
    if parsed is None:
        return _problem(400, "Expected {model, model_id, event[, fields]} with a known model and event.")
    model, model_id, event, fields = parsed
    evicted, tags = await announce(runtime.changes, org, model, model_id, event, fields)
    logger.info("webhook org %s %s %s %s evicted %d entries", org, model, model_id, event, evicted)
    return JSONResponse({"evicted": evicted, "tags": tags})
