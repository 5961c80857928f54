"""Subscriptions over a real WebSocket (uvicorn), fed by webhooks over real HTTP, with the same auth as queries."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gateway.app import create_app
from gateway.bus import CHANGES_CHANNEL
from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState, sandbox_token
from gateway.sandbox import pipeline as sandbox_pipeline
from gateway.settings import Settings
from schema.relay.global_ids import encode
from tests.conftest import sandbox_settings
from tests.integration.live import RECEIVE_TIMEOUT_S, Live, serving, subscriber, wait_for
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

SECRET = "subscription-secret"
RAW_TOKEN = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}")
API_TOKEN = sandbox_token(f"api_access:{API_ACCESS_ORG_ID}")
PROJECT_CHANGED = (
    "subscription($org: ID) { projectChanged(orgId: $org) { projectId event changedFields project { title } } }"
)


def org_projects(sandbox: SandboxState, org_id: int) -> list[int]:
    return list(sandbox.data.orgs[org_id].project_ids)


def subscribers(live: Live) -> int:
    return live.runtime.changes.bus.subscribers(CHANGES_CHANNEL)


async def test_a_subscriber_hears_only_its_own_orgs_changes() -> None:
    sandbox = SandboxState(SandboxConfig())
    ours, theirs = org_projects(sandbox, RAW_DATA_ORG_ID), org_projects(sandbox, API_ACCESS_ORG_ID)
    app = create_app(sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET), sandbox=sandbox)
    async with serving(app) as live, subscriber(live, RAW_TOKEN) as a, subscriber(live, API_TOKEN) as b:
        await a.subscribe(PROJECT_CHANGED, variables={"org": str(RAW_DATA_ORG_ID)})
        await b.subscribe(PROJECT_CHANGED, variables={"org": encode("Org", API_ACCESS_ORG_ID)})  # a global id too
        await wait_for(lambda: subscribers(live) == 2)
        # org B's secret, about org A's project: the org is B's (the secret says so), and B cannot read it
        assert (await live.hook(API_ACCESS_ORG_ID, "Project", ours[0])).status_code == 200
        # org A's secret, about org B's project: A's subscriber cannot read it, so it is not announced
        assert (await live.hook(RAW_DATA_ORG_ID, "Project", theirs[0])).status_code == 200
        # org A's own project, with a payload that claims org B: the claim is ignored
        assert (
            await live.hook(RAW_DATA_ORG_ID, "Project", ours[1], fields={"org_id": API_ACCESS_ORG_ID})
        ).status_code == 200
        assert (await live.hook(API_ACCESS_ORG_ID, "Project", theirs[1], event="DELETE")).status_code == 200
        # each first message is its own org's change: nothing of the other org came before it
        heard_a = await a.next_data("projectChanged")
        heard_b = await b.next_data("projectChanged")
    assert (heard_a["projectId"], heard_a["event"]) == (str(ours[1]), "UPDATE")
    assert heard_a["changedFields"] == ["org_id"] and heard_a["project"]["title"]
    assert heard_b == {"projectId": str(theirs[1]), "event": "DELETE", "changedFields": [], "project": None}


async def test_each_change_is_read_fresh() -> None:
    sandbox = SandboxState(SandboxConfig())
    project = sandbox.data.projects[org_projects(sandbox, RAW_DATA_ORG_ID)[0]]
    app = create_app(sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET), sandbox=sandbox)
    async with serving(app) as live, subscriber(live, RAW_TOKEN) as ws:
        await ws.subscribe(PROJECT_CHANGED)
        await wait_for(lambda: subscribers(live) == 1)
        titles = []
        for title in ("First title", "Second title", "Third title"):
            project.title = title
            await live.hook(RAW_DATA_ORG_ID, "Project", project.id, fields={"title": title})
            titles.append((await ws.next_data("projectChanged"))["project"]["title"])
    assert titles == ["First title", "Second title", "Third title"]


async def test_contact_and_activity_subscriptions() -> None:
    sandbox = SandboxState(SandboxConfig())
    org = sandbox.data.orgs[RAW_DATA_ORG_ID]
    project = sandbox.data.projects[org.project_ids[0]]
    contact = sandbox.data.contacts[project.contact_ids[0]]
    other_org_project = org_projects(sandbox, API_ACCESS_ORG_ID)[0]
    app = create_app(sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET), sandbox=sandbox)
    async with serving(app) as live, subscriber(live, RAW_TOKEN) as ws:
        await ws.subscribe("subscription { contactChanged { contactId event contact { firstName } } }", id="c")
        await ws.subscribe(
            "subscription { activityChanged(models: [EVENT, QUOTE]) { id model event projectId project { title } } }",
            id="a",
        )
        await wait_for(lambda: subscribers(live) == 2)
        messages = []
        for name in ("Ada", "Grace"):  # each change is read when it is delivered
            contact.first_name = name
            await live.hook(RAW_DATA_ORG_ID, "Contact", contact.id, fields={"first_name": name})
            messages.append(await ws.receive())
        link = f"/api/orgs/{RAW_DATA_ORG_ID}/projects/%d/"
        await live.hook(RAW_DATA_ORG_ID, "QuoteActivityLog", 77, "CREATE", {"project": link % project.id})
        await live.hook(RAW_DATA_ORG_ID, "Event", 41, fields={"project": link % other_org_project})
        await live.hook(RAW_DATA_ORG_ID, "Event", 42, "CREATE", {"project": link % project.id})
        messages.append(await ws.receive())
    by_id: dict[str, list[object]] = {}
    for message in messages:
        assert message["type"] == "next" and "errors" not in message["payload"], message
        by_id.setdefault(message["id"], []).append(message["payload"]["data"])
    assert by_id["c"] == [
        {"contactChanged": {"contactId": str(contact.id), "event": "UPDATE", "contact": {"firstName": name}}}
        for name in ("Ada", "Grace")
    ]
    # the quote activity was not asked for; event 41 names a project this org cannot read
    assert by_id["a"] == [
        {
            "activityChanged": {
                "id": "42",
                "model": "EVENT",
                "event": "CREATE",
                "projectId": str(project.id),
                "project": {"title": project.title},
            }
        }
    ]


@dataclasses.dataclass
class HeldFault(Fault):
    """A sandbox fault that holds the upstream call until the test releases it."""

    gate: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


async def test_a_stalled_subscriber_is_dropped_with_a_code(monkeypatch: pytest.MonkeyPatch) -> None:
    original = sandbox_pipeline._apply_fault

    async def apply(fault: Fault, dialect: object) -> object:
        if isinstance(fault, HeldFault):
            await fault.gate.wait()
        return await original(fault, dialect)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox_pipeline, "_apply_fault", apply)
    sandbox = SandboxState(SandboxConfig())
    ids = org_projects(sandbox, RAW_DATA_ORG_ID)
    held = HeldFault(route="opensolar.project_detail", times=1)
    settings = sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_SUBSCRIBER_QUEUE=4)
    app = create_app(settings, sandbox=sandbox)
    async with serving(app) as live, subscriber(live, RAW_TOKEN) as ws:
        bus = live.runtime.changes.bus
        await ws.subscribe(PROJECT_CHANGED)
        await wait_for(lambda: subscribers(live) == 1)
        sandbox.faults.append(held)
        await live.hook(RAW_DATA_ORG_ID, "Project", ids[0])  # its read hangs: the subscriber stops reading
        await wait_for(lambda: sandbox.counts["opensolar.project_detail"] == 1)
        most_queued = 0
        for project_id in ids[1:200]:  # 199 more changes while it is stuck
            await live.hook(RAW_DATA_ORG_ID, "Project", project_id)
            most_queued = max(most_queued, bus.queued(CHANGES_CHANNEL))
        assert most_queued == 4  # never more than GATEWAY_SUBSCRIBER_QUEUE waiting
        assert bus.stats["subscribers_dropped"] == 1 and subscribers(live) == 0  # nothing held for it any more
        held.gate.set()
        first = await ws.receive()
        closed = await ws.receive()
        done = await ws.receive()
    assert first["type"] == "next" and first["payload"]["data"]["projectChanged"]["projectId"] == str(ids[0])
    assert closed["type"] == "next" and closed["payload"]["errors"][0]["extensions"]["code"] == "SLOW_SUBSCRIBER"
    assert done == {"id": "1", "type": "complete"}


@pytest.fixture
def production_settings(sandbox_url: str) -> Iterator[Settings]:
    yield Settings.model_validate(
        {
            "OPENSOLAR_BASE_URL": sandbox_url,
            "ARCADIA_BASE_URL": sandbox_url,
            "OPENSOLAR_TOKEN": "x" * 40,
            "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
            "GATEWAY_WEBHOOK_SECRET": SECRET,
        }
    )


async def test_a_websocket_without_credentials_is_rejected(production_settings: Settings) -> None:
    async with (
        serving(create_app(production_settings)) as live,
        connect(f"ws://{live.base_url}/graphql", subprotocols=["graphql-transport-ws"]) as ws,  # type: ignore[list-item]
    ):
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_subscriber_must_be_able_to_read_the_org(production_settings: Settings) -> None:
    async with serving(create_app(production_settings)) as live, subscriber(live, API_TOKEN) as ws:
        await ws.subscribe(PROJECT_CHANGED)  # the default org is not this token's
        message = await ws.receive()
    assert message["type"] == "next"
    assert message["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_changes_cross_replicas_through_redis() -> None:
    sandbox = SandboxState(SandboxConfig())
    project_id = org_projects(sandbox, RAW_DATA_ORG_ID)[2]
    with redis_server() as url:
        settings = sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_CACHE_URL=url)
        async with (
            serving(create_app(settings, sandbox=sandbox)) as first,
            serving(create_app(settings, sandbox=sandbox)) as second,
            subscriber(first, RAW_TOKEN) as ws,
        ):
            await ws.subscribe(PROJECT_CHANGED)
            await wait_for(
                lambda: (
                    subscribers(first) == 1 and all(r.runtime.changes.bus.connected.is_set() for r in (first, second))
                )
            )
            await second.hook(RAW_DATA_ORG_ID, "Project", project_id)  # the webhook reaches the other replica
            change = await ws.next_data("projectChanged")
    assert change["projectId"] == str(project_id)
