"""WebSocket errors carry the same extensions.code as over HTTP, in both protocols Strawberry serves."""

from __future__ import annotations

import gc
import logging
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


def test_a_bad_subscription_over_the_older_protocol_logs_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    # Strawberry left the result source open after an error before execution; the event loop closed
    # it in another task, where the operation's extensions could not reset their context variables.
    with (
        TestClient(create_app(sandbox_settings())) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        for n, (query, variables, code) in enumerate(CASES * 2):
            ws.send_json({"id": str(n), "type": "start", "payload": {"query": query, "variables": variables}})
            [error] = errors_of(ws.receive_json())
            assert error["extensions"]["code"] == code, error
            gc.collect()  # what would leave a source open is finalised now, while the socket is still served
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
