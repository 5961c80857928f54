"""The app served by uvicorn on a loopback socket the test owns, and a graphql-transport-ws client.

For what happens on a real connection (WebSocket subscriptions, webhooks over HTTP). Every receive
has a timeout, so a lost message fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from gateway.app import runtime_of
from gateway.http.webhooks import org_secret
from gateway.runtime import Runtime

RECEIVE_TIMEOUT_S = 10.0  # generous: only a lost message ever waits this long


@dataclass
class Live:
    app: Starlette
    base_url: str
    http: httpx.AsyncClient

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.app)

    async def query(self, query: str, token: str | None = None, variables: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def hook(
        self, org_id: int, model: str, model_id: int, event: str = "UPDATE", fields: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A webhook as OpenSolar sends it to the org's receiver, with the org's secret."""
        master = self.runtime.settings.webhook_secret
        assert master is not None
        return await self.http.post(
            f"/webhooks/opensolar/{org_id}",
            headers={"X-Solar-Gateway-Secret": org_secret(master.get_secret_value(), org_id)},
            json={"model": model, "model_id": model_id, "event": event, "fields": fields or {}},
        )


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[Live]:
    """Run ``app`` (lifespan included) under uvicorn on a socket bound here to a port the kernel chose."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=RECEIVE_TIMEOUT_S) as http:
            yield Live(app, f"127.0.0.1:{port}", http)
    finally:
        server.should_exit = True
        async with asyncio.timeout(30):
            await task
        sock.close()


class Subscriber:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), RECEIVE_TIMEOUT_S))
        return message

    async def subscribe(self, query: str, id: str = "1", variables: dict[str, Any] | None = None) -> None:
        await self.send({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})

    async def next_data(self, field: str) -> Any:
        message = await self.receive()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"][field]


@asynccontextmanager
async def subscriber(live: Live, token: str | None = None) -> AsyncIterator[Subscriber]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with connect(
        f"ws://{live.base_url}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]  # a Subprotocol is a str
        additional_headers=headers,
        open_timeout=RECEIVE_TIMEOUT_S,
        close_timeout=1,
    ) as ws:
        client = Subscriber(ws)
        await client.send({"type": "connection_init", "payload": {}})
        assert (await client.receive())["type"] == "connection_ack"
        yield client


async def wait_for(condition: Any) -> None:
    """Until ``condition()`` holds (bounded: fails with TimeoutError instead of hanging)."""
    async with asyncio.timeout(RECEIVE_TIMEOUT_S):
        while not condition():  # noqa: ASYNC110 - polling state the app does not signal
            await asyncio.sleep(0.01)
