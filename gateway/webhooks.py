"""``POST /webhooks/opensolar``: OpenSolar's webhook payloads evict what they make stale.

OpenSolar documents no signature; it sends back the ``headers`` a webhook was registered with.
The gateway registers its receiver with ``X-Solar-Gateway-Secret: <GATEWAY_WEBHOOK_SECRET>`` and
compares it in constant time; anything else gets 401. The payload is ``{model, model_id, event,
fields}``; the affected tags are evicted here and published so every replica evicts too.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.events import CHANGES_CHANNEL, EVICT_CHANNEL
from gateway.services import Services
from gateway.settings import WEBHOOK_SECRET_HEADER as SECRET_HEADER
from gateway.upstreams.opensolar_cache import webhook_tags

__all__ = ["opensolar_webhook"]

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
    model, model_id, event = str(payload.get("model", "")), payload.get("model_id"), payload.get("event")
    if model.lower() not in MODELS or event not in EVENTS:
        return None
    try:
        number = int(model_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    fields = payload.get("fields")
    return model, number, event, fields if isinstance(fields, dict) else {}


async def opensolar_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    secret = services.settings.webhook_secret
    if secret is None:
        return _problem(404, "The webhook receiver is off: set GATEWAY_WEBHOOK_SECRET.")
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        return _problem(401, f"Missing or wrong {SECRET_HEADER}.")
    raw = await _body(request)
    if raw is None:
        return _problem(413, f"Webhook payloads are limited to {MAX_WEBHOOK_BYTES} bytes.")
    parsed = _parse(raw)
    if parsed is None:
        return _problem(400, "Expected {model, model_id, event[, fields]} with a known model and event.")
    model, model_id, event, fields = parsed
    tags = sorted(webhook_tags(model, model_id, event, fields))
    evicted = await services.cache.evict(tags) if services.cache else 0
    change = {
        "model": model,
        "model_id": model_id,
        "event": event,
        "org_id": fields.get("org_id"),
        "fields": sorted(str(name) for name in fields),
    }
    try:
        await services.bus.publish(EVICT_CHANNEL, {"tags": tags, **change})
        await services.bus.publish(CHANGES_CHANNEL, change)  # subscriptions (projectChanged)
    except Exception as exc:
        logger.warning("could not publish the eviction to other replicas: %s", exc)
    logger.info("webhook %s %s %s evicted %d entries", model, model_id, event, evicted)
    return JSONResponse({"evicted": evicted, "tags": tags})
