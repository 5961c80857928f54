"""WebSocket errors carry the same extensions.code as over HTTP, in both protocols Strawberry serves."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from tests.conftest import sandbox_settings

pytestmark = pytest.mark.integration

CASES = [
    ("subscription { nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ("subscription S($o: ID!) { projectChanged(orgId: $o) { projectId } }", {"o": True}, "BAD_USER_INPUT"),
    ("subscription S($o: ID!) { projectChanged(orgId: $o) { projectId } }", {}, "BAD_USER_INPUT"),
]


def errors_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    assert message["type"] == "error", message
    payload = message["payload"]
    return payload if isinstance(payload, list) else [payload]


@pytest.mark.parametrize(("protocol", "subscribe"), [("graphql-transport-ws", "subscribe"), ("graphql-ws", "start")])
def test_subscription_errors_are_coded(protocol: str, subscribe: str) -> None:
    with (
        TestClient(create_app(sandbox_settings())) as client,
        client.websocket_connect("/graphql", subprotocols=[protocol]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        for n, (query, variables, code) in enumerate(CASES):
            ws.send_json({"id": str(n), "type": subscribe, "payload": {"query": query, "variables": variables}})
            [error] = errors_of(ws.receive_json())
            assert error["extensions"]["code"] == code, error
