"""projectChanged over graphql-transport-ws, fed by the webhook receiver, with the same auth as queries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.app import create_app
from gateway.events import CHANGES_CHANNEL, CHANNEL_PREFIX, LocalBus
from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, sandbox_token
from gateway.settings import Settings
from tests.conftest import sandbox_settings
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

SECRET = "subscription-secret"
SUBSCRIBE = {
    "id": "1",
    "type": "subscribe",
    "payload": {"query": "subscription { projectChanged { projectId event changedFields project { title } } }"},
}


def hook(client: TestClient, model_id: int, org_id: int | None, event: str = "UPDATE") -> None:
    fields: dict[str, Any] = {"title": "renamed"}
    if org_id is not None:
        fields["org_id"] = org_id
    response = client.post(
        "/webhooks/opensolar",
        headers={"X-Solar-Gateway-Secret": SECRET},
        json={"model": "Project", "model_id": model_id, "event": event, "fields": fields},
    )
    assert response.status_code == 200


def wait_until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def local_subscribers(client: TestClient) -> int:
    bus = client.app.state.services.bus  # type: ignore[attr-defined]
    assert isinstance(bus, LocalBus)
    return len(bus._queues.get(CHANGES_CHANNEL, ()))


def test_changes_reach_subscribers_of_their_org_only() -> None:
    with (
        TestClient(create_app(sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET))) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(SUBSCRIBE)
        wait_until(lambda: local_subscribers(client) == 1)
        hook(client, 3500, org_id=API_ACCESS_ORG_ID)  # another org's project: never delivered
        hook(client, 3001, org_id=None)  # no org in the payload: checked with the subscriber's credential
        message = ws.receive_json()
        assert message["type"] == "next" and message["id"] == "1"
        change = message["payload"]["data"]["projectChanged"]
        assert change == {
            "projectId": "3001",
            "event": "UPDATE",
            "changedFields": ["title"],
            "project": {"title": change["project"]["title"]},
        }
        hook(client, 3002, org_id=RAW_DATA_ORG_ID, event="DELETE")
        deleted = ws.receive_json()["payload"]["data"]["projectChanged"]
        assert (deleted["projectId"], deleted["event"], deleted["project"]) == ("3002", "DELETE", None)


@pytest.fixture
def production_app(sandbox_url: str) -> Iterator[TestClient]:
    settings = Settings.model_validate(
        {
            "OPENSOLAR_BASE_URL": sandbox_url,
            "ARCADIA_BASE_URL": sandbox_url,
            "OPENSOLAR_TOKEN": "x" * 40,
            "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
            "GATEWAY_WEBHOOK_SECRET": SECRET,
        }
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_websocket_without_credentials_is_rejected(production_app: TestClient) -> None:
    with production_app.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_a_subscriber_must_be_able_to_read_the_org(production_app: TestClient) -> None:
    api_token = sandbox_token(f"api_access:{API_ACCESS_ORG_ID}")
    with production_app.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {api_token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(SUBSCRIBE)  # the default org is not this token's
        message = ws.receive_json()
    assert message["type"] == "next"
    assert message["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_changes_cross_replicas_through_redis() -> None:
    with redis_server() as url:
        settings = sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_CACHE_URL=url)
        numsub = redis.Redis.from_url(url)
        with (
            TestClient(create_app(settings)) as first,
            TestClient(create_app(settings)) as second,
            first.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
        ):
            ws.send_json({"type": "connection_init", "payload": {}})
            assert ws.receive_json()["type"] == "connection_ack"
            ws.send_json(SUBSCRIBE)
            wait_until(lambda: numsub.pubsub_numsub(CHANNEL_PREFIX + CHANGES_CHANNEL)[0][1] >= 1)
            hook(second, 3003, org_id=RAW_DATA_ORG_ID)  # the webhook reaches the other replica
            change = ws.receive_json()["payload"]["data"]["projectChanged"]
        numsub.close()
    assert change["projectId"] == "3003"
