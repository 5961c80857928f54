"""Upstream error bodies never reach clients, except a 400's field names and messages, redacted."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from gateway.errors import (
    MAX_MESSAGE_CHARS,
    NotFoundError,
    UpstreamBadRequest,
    UpstreamError,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
    redact,
)
from gateway.settings import Settings
from gateway.upstream.arcadia.client import ArcadiaClient, IncentiveSearch
from gateway.upstream.opensolar.client import OpenSolarClient

TOKEN = "s3cr3t-user-token-0123456789abcdef"
DB_URL = "postgres://admin:hunter2@db.internal:5432/opensolar"
TRACEBACK = 'Traceback (most recent call last):\n  File "/srv/app/views.py", line 12, in get\n    raise'
SECRETS = (TOKEN, "hunter2", "db.internal", "/srv/app/views.py", "Traceback")


def opensolar(status: int, body: Any) -> OpenSolarClient:
    config = Settings().upstream("opensolar", "https://api.opensolar.test")
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return OpenSolarClient(config, httpx.AsyncClient(transport=transport), concurrency=4)


def arcadia(status: int, message: str, prop: str | None = "zipCode", code: str = "InvalidArgument") -> ArcadiaClient:
    body = {
        "status": "error",
        "count": 1,
        "type": "Error",
        "results": [{"code": code, "message": message, "objectName": "request", "propertyName": prop}],
    }
    config = Settings().upstream("arcadia", "https://api.genability.test")
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return ArcadiaClient(config, httpx.AsyncClient(transport=transport), concurrency=4, app_id="i", app_key="k")


def shown(error: UpstreamError) -> str:
    """Everything of an error a GraphQL client sees: its message and its extensions."""
    return error.message + json.dumps(error.extensions)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, {"detail": f"OperationalError: could not connect to {DB_URL}\n{TRACEBACK}"}, UpstreamUnavailable),
        (500, {"database": DB_URL, "trace": TRACEBACK}, UpstreamUnavailable),
        (401, {"detail": "Invalid token.", "token_seen": TOKEN}, UpstreamUnauthenticated),
        (404, {"detail": f"No Project matches the given query ({DB_URL})."}, NotFoundError),
    ],
)
async def test_error_bodies_other_than_400_never_reach_the_client(
    status: int, body: dict[str, Any], expected: type[UpstreamError], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gateway.upstreams"), pytest.raises(expected) as caught:
        await opensolar(status, body).project(TOKEN, 1, 2)
    assert "fields" not in caught.value.extensions
    assert not any(secret in shown(caught.value) for secret in SECRETS)
    logged = caplog.text
    assert f"HTTP {status}" in logged  # the operator still learns what the upstream said...
    assert TOKEN not in logged and "hunter2" not in logged  # ...redacted


async def test_a_400_keeps_field_names_and_messages_redacted_and_capped() -> None:
    body = {
        "endpoint": [f"Enter a valid URL, not {DB_URL}."],
        "name": ["x" * 5000],
        "auth_token": [f"{TOKEN} is not a valid token."],
        "bad field!": ["dropped"],
        "non_field_errors": [f"Authorization: Bearer {TOKEN}"],
    }
    with pytest.raises(UpstreamBadRequest) as caught:
        await opensolar(400, body).create_webhook(TOKEN, 1, {"endpoint": "x"})
    fields = caught.value.extensions["fields"]
    assert set(fields) == {"endpoint", "name", "auth_token", "non_field_errors"}
    assert fields["endpoint"][0].startswith("Enter a valid URL, not ")
    assert all(len(message) <= MAX_MESSAGE_CHARS for messages in fields.values() for message in messages)
    assert not any(secret in shown(caught.value) for secret in SECRETS)


async def test_arcadia_messages_and_property_names_are_not_copied_verbatim() -> None:
    with pytest.raises(UpstreamBadRequest) as caught:
        await arcadia(400, f"zipCode rejected by {DB_URL} for appKey=abc123").incentives(IncentiveSearch(zip_code="1"))
    assert caught.value.extensions["property"] == "zipCode"
    assert caught.value.extensions["fields"] == {"zipCode": ["zipCode rejected by [redacted] for appKey=[redacted]"]}
    assert "hunter2" not in shown(caught.value) and "abc123" not in shown(caught.value)

    with pytest.raises(UpstreamBadRequest) as caught:
        await arcadia(400, "bad", prop="<script>alert(1)</script>").incentives(IncentiveSearch())
    assert "property" not in caught.value.extensions and "script" not in shown(caught.value)

    with pytest.raises(NotFoundError) as found:
        await arcadia(404, f"Incentive 9 not found in {DB_URL}", prop="masterIncentiveId").incentive(9)
    assert "db.internal" not in shown(found.value) and "property" not in found.value.extensions
    assert found.value.extensions["upstreamCode"] == "InvalidArgument"


def test_redact_strips_credentials_and_keeps_plain_words() -> None:
    assert redact("Enter a valid URL.") == "Enter a valid URL."
    assert redact(f"password={TOKEN} at {DB_URL}") == "password=[redacted] at [redacted]"
    assert redact("ok " * 200, limit=20).endswith("\u2026") and len(redact("ok " * 200, limit=20)) == 20
