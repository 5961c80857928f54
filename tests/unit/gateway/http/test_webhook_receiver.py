"""The webhook receiver's own rules, in process: the secret per org, the body cap at exactly its bytes,
what a payload must hold, and what is evicted and announced. The real app's end-to-end behaviour is in
``tests/integration/test_webhooks.py``."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Iterable
from types import SimpleNamespace
from typing import Any, cast

import httpx
import orjson
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Route

from gateway.bus import CHANGES_CHANNEL, EVICT_CHANNEL
from gateway.http.webhooks import MAX_WEBHOOK_BYTES, opensolar_webhook, org_secret
from gateway.runtime import ChangeFeed

MASTER = "master-secret"
ORG = 42
HEADER = "X-Solar-Gateway-Secret"


class Recorded:
    """The cache and the bus of one replica, as far as the receiver can tell."""

    def __init__(self) -> None:
        self.evicted: list[list[str]] = []
        self.published: list[tuple[str, dict[str, Any]]] = []

    async def evict(self, tags: Iterable[str]) -> int:
        names = list(tags)
        self.evicted.append(names)
        return len(names)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self.published.append((channel, message))


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[httpx.AsyncClient, Recorded]]:
    recorded = Recorded()
    app = Starlette(
        routes=[
            Route("/webhooks/opensolar", opensolar_webhook, methods=["POST"]),
            Route("/webhooks/opensolar/{org_id}", opensolar_webhook, methods=["POST"]),
        ]
    )
    app.state.runtime = SimpleNamespace(
        settings=SimpleNamespace(webhook_secret=SecretStr(MASTER)),
        changes=ChangeFeed(cast(Any, recorded), cast(Any, recorded)),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        yield client, recorded


def signed(org: int = ORG) -> dict[str, str]:
    return {HEADER: org_secret(MASTER, org)}


def test_each_orgs_secret_is_the_hmac_sha256_of_its_id_under_the_gateways_secret() -> None:
    by_hand = hmac.new(b"master-secret", b"opensolar-webhook:org:42", hashlib.sha256).hexdigest()
    assert org_secret(MASTER, ORG) == by_hand
    assert org_secret(MASTER, 43) != by_hand and org_secret("other", ORG) != by_hand


async def test_a_webhook_evicts_its_orgs_tags_and_tells_every_replica_and_subscriber(
    receiver: tuple[httpx.AsyncClient, Recorded],
) -> None:
    client, recorded = receiver
    body = {"model": "PROJECT", "model_id": "7", "event": "UPDATE", "fields": {"title": "x", "org_id": 99}}
    response = await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), json=body)
    assert response.status_code == 200
    tags = [f"opensolar:{ORG}:project:7", f"opensolar:{ORG}:project_systems:7"]  # its record and its systems
    assert response.json() == {"evicted": 2, "tags": tags}  # the org of the path, never the payload's org_id
    assert recorded.evicted == [tags]
    change = {
        "org_id": ORG,
        "model": "project",
        "model_id": 7,
        "event": "UPDATE",
        "project_id": None,
        "fields": ["org_id", "title"],
    }
    assert recorded.published == [(EVICT_CHANNEL, {"tags": tags, "reason": "write"}), (CHANGES_CHANNEL, change)]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (f"/webhooks/opensolar/{ORG}", {}, 401),
        (f"/webhooks/opensolar/{ORG}", {HEADER: ""}, 401),
        (f"/webhooks/opensolar/{ORG}", {HEADER: MASTER}, 401),  # the master secret is no org's secret
        (f"/webhooks/opensolar/{ORG}", {HEADER: org_secret(MASTER, ORG)[:-1]}, 401),
        (f"/webhooks/opensolar/{ORG}", {HEADER: org_secret(MASTER, ORG).upper()}, 401),
        (f"/webhooks/opensolar/{ORG}", signed(43), 401),
        ("/webhooks/opensolar", signed(), 404),
        ("/webhooks/opensolar/0", signed(0), 404),
        ("/webhooks/opensolar/-42", signed(), 404),
        ("/webhooks/opensolar/1234567890123456789", signed(1234567890123456789), 404),  # 19 digits
        (f"/webhooks/opensolar/{ORG}", signed(), 200),
        ("/webhooks/opensolar/123456789012345678", signed(123456789012345678), 200),  # 18 digits
        (f"/webhooks/opensolar/0{ORG}", signed(), 200),
    ],
)
async def test_only_an_orgs_own_secret_opens_its_receiver(
    receiver: tuple[httpx.AsyncClient, Recorded], path: str, headers: dict[str, str], status: int
) -> None:
    client, recorded = receiver
    body = {"model": "contact", "model_id": 5, "event": "DELETE"}
    response = await client.post(path, headers=headers, json=body)
    assert response.status_code == status
    assert "error" in response.json() if status != 200 else response.json()["tags"]
    assert bool(recorded.published) is (status == 200)  # nothing evicted or announced unless admitted


async def test_a_receiver_without_the_gateways_secret_is_off() -> None:
    app = Starlette(routes=[Route("/webhooks/opensolar/{org_id}", opensolar_webhook, methods=["POST"])])
    app.state.runtime = SimpleNamespace(settings=SimpleNamespace(webhook_secret=None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        response = await client.post(f"/webhooks/opensolar/{ORG}", headers={HEADER: org_secret("", ORG)}, json={})
    assert response.status_code == 404 and "GATEWAY_WEBHOOK_SECRET" in response.json()["error"]


def padded(size: int) -> bytes:
    """A valid payload of exactly ``size`` bytes (the padding rides in ``fields``)."""
    body = {"model": "contact", "model_id": 5, "event": "UPDATE", "fields": {"pad": ""}}
    padding = size - len(orjson.dumps(body))
    body["fields"] = {"pad": "x" * padding}
    raw = orjson.dumps(body)
    assert len(raw) == size
    return raw


async def test_a_payload_of_exactly_the_cap_is_read_and_one_byte_more_is_refused(
    receiver: tuple[httpx.AsyncClient, Recorded],
) -> None:
    client, recorded = receiver

    async def chunks(raw: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(raw), 1024 * 1024):  # streamed, as a large webhook arrives
            yield raw[start : start + 1024 * 1024]

    at_cap = await client.post(
        f"/webhooks/opensolar/{ORG}", headers=signed(), content=chunks(padded(MAX_WEBHOOK_BYTES))
    )
    assert at_cap.status_code == 200
    over = await client.post(
        f"/webhooks/opensolar/{ORG}", headers=signed(), content=chunks(padded(MAX_WEBHOOK_BYTES + 1))
    )
    assert over.status_code == 413 and str(MAX_WEBHOOK_BYTES) in over.json()["error"]
    assert len(recorded.evicted) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'"project"',
        b'{"model_id": 5, "event": "UPDATE"}',
        b'{"model": null, "model_id": 5, "event": "UPDATE"}',
        b'{"model": "project", "model_id": 5, "event": "update"}',
        b'{"model": "project", "model_id": 5}',
        b'{"model": "project", "event": "UPDATE"}',
        b'{"model": "project", "model_id": 0, "event": "UPDATE"}',
        b'{"model": "project", "model_id": -5, "event": "UPDATE"}',
        b'{"model": "project", "model_id": 5.5, "event": "UPDATE"}',
        b'{"model": "project", "model_id": "5a", "event": "UPDATE"}',
        b'{"model": "project", "model_id": false, "event": "UPDATE"}',
        b'{"model": "project", "model_id": 1234567890123456789, "event": "UPDATE"}',
    ],
)
async def test_a_payload_without_a_known_model_positive_id_and_event_is_refused(
    receiver: tuple[httpx.AsyncClient, Recorded], body: bytes
) -> None:
    client, recorded = receiver
    response = await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), content=body)
    assert response.status_code == 400 and "model" in response.json()["error"]
    assert recorded.published == []


@pytest.mark.parametrize(
    ("payload", "model", "model_id", "fields"),
    [
        ({"model": "Event", "model_id": 123456789012345678, "event": "CREATE"}, "event", 123456789012345678, []),
        ({"model": "quote", "model_id": "9", "event": "DELETE", "fields": ["a"]}, "quote", 9, []),
        (
            {"model": "QuoteActivityLog", "model_id": 1, "event": "UPDATE", "fields": {"b": 1, "a": 2}},
            "quoteactivitylog",
            1,
            ["a", "b"],
        ),
    ],
)
async def test_known_payloads_are_read_whatever_the_case_of_the_model(
    receiver: tuple[httpx.AsyncClient, Recorded], payload: dict[str, Any], model: str, model_id: int, fields: list[str]
) -> None:
    client, recorded = receiver
    response = await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), json=payload)
    assert response.status_code == 200
    (channel, change) = recorded.published[-1]
    assert channel == CHANGES_CHANNEL
    assert (change["model"], change["model_id"], change["event"], change["fields"]) == (
        model,
        model_id,
        payload["event"],
        fields,
    )


async def test_each_webhook_is_logged_with_its_org_change_and_evictions(
    receiver: tuple[httpx.AsyncClient, Recorded], caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = receiver
    caplog.set_level(logging.INFO, logger="gateway.webhooks")
    body = {"model": "Contact", "model_id": 5, "event": "DELETE"}
    assert (await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), json=body)).status_code == 200
    (record,) = [r for r in caplog.records if r.name == "gateway.webhooks"]
    assert record.getMessage() == f"webhook org {ORG} contact 5 DELETE evicted 2 entries"  # its own tag and its list


async def test_a_change_that_hangs_off_a_project_evicts_that_project_and_names_it(
    receiver: tuple[httpx.AsyncClient, Recorded],
) -> None:
    client, recorded = receiver
    body = {"model": "event", "model_id": 11, "event": "CREATE", "fields": {"project_id": 7}}
    response = await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), json=body)
    tags = [f"opensolar:{ORG}:project:7", f"opensolar:{ORG}:project_systems:7"]  # a quote may change the proposal
    assert response.json() == {"evicted": 2, "tags": tags}
    assert recorded.published[-1] == (
        CHANGES_CHANNEL,
        {"org_id": ORG, "model": "event", "model_id": 11, "event": "CREATE", "project_id": 7, "fields": ["project_id"]},
    )


def record(title: str, **changed: Any) -> dict[str, Any]:
    """A project payload with every field (``payload_fields`` ``project.*``), in the project-detail shape."""
    systems = [{"id": 70, "kw_stc": 6.4, "url": "https://api.opensolar.com/api/orgs/42/systems/70/"}]
    fields = {"id": 7, "title": title, "notes": "", "modified_date": title, "systems": systems, "usage": "{}"}
    return {
        **fields,
        "usage_annual_or_guess": 9000,
        "valid_until_date": "2026-12-31",
        "lat": 1.5,
        "lon": 2.5,
        **changed,
    }


@pytest.mark.parametrize(
    ("second", "keeps_systems"),
    [
        (record("renamed"), True),  # only the record's presentation fields changed
        (record("renamed", notes="call first", stage=3), True),
        (record("renamed", usage_annual_or_guess=9100), False),  # the proposal's input
        (record("renamed", systems=[]), False),
        (record("renamed", lat=1.6), False),
        (record("renamed", roof_type="tile"), False),  # a field nobody listed counts as an input
        ({k: v for k, v in record("renamed").items() if k != "systems"}, False),  # filtered: cannot tell
        ({"title": "renamed"}, False),
    ],
)
async def test_a_project_update_keeps_its_systems_only_when_its_record_shows_their_inputs_unchanged(
    receiver: tuple[httpx.AsyncClient, Recorded], second: dict[str, Any], keeps_systems: bool
) -> None:
    client, recorded = receiver
    for fields in (record("first"), second):
        body = {"model": "Project", "model_id": 7, "event": "UPDATE", "fields": fields}
        assert (await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), json=body)).status_code == 200
    both = [f"opensolar:{ORG}:project:7", f"opensolar:{ORG}:project_systems:7"]
    assert recorded.evicted == [both, both[:1] if keeps_systems else both]  # the first of a project: everything


async def test_only_the_same_projects_previous_payload_counts_and_other_events_evict_everything(
    receiver: tuple[httpx.AsyncClient, Recorded],
) -> None:
    client, recorded = receiver
    hooks = [
        ("Project", 8, "UPDATE", record("a")),  # another project: its own first payload
        ("Project", 7, "UPDATE", record("a")),
        ("Project", 7, "UPDATE", {"title": "b", "usage": "{}"}),  # unknown inputs: forgets what it knew
        ("Project", 7, "UPDATE", {"title": "c", "usage": "{}"}),  # the same filtered fields prove nothing
        ("Project", 7, "UPDATE", record("d")),
        ("Project", 7, "CREATE", record("e")),
        ("event", 9, "UPDATE", {"project_id": 7}),
        ("quote", 5, "UPDATE", record("f")),  # no project's payload, though its id is one
        ("Project", 5, "UPDATE", record("f")),
    ]
    for model, model_id, event, fields in hooks:
        body = {"model": model, "model_id": model_id, "event": event, "fields": fields}
        assert (await client.post(f"/webhooks/opensolar/{ORG}", headers=signed(), json=body)).status_code == 200
    assert [any("project_systems" in t for t in tags) for tags in recorded.evicted] == [
        True
    ] * 8  # the quote: nothing to evict
