"""Shared fixtures: a fresh sandbox per test and the real app running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import pytest

from gateway.app import create_app, runtime_of
from gateway.runtime import Runtime
from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, SandboxConfig, SandboxState
from gateway.settings import Settings


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build Settings explicitly; nothing from the developer's shell may leak in."""
    for name in (
        "OPENSOLAR_TOKEN",
        "OPENSOLAR_ORG_ID",
        "OPENSOLAR_BASE_URL",
        "ARCADIA_APP_ID",
        "ARCADIA_APP_KEY",
        "ARCADIA_BASE_URL",
        "GATEWAY_SANDBOX",
        "GATEWAY_GRAPHIQL",
    ):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    runtime: Runtime
    sandbox: SandboxState

    @property
    def raw_token(self) -> str:
        return self.sandbox.data.orgs[RAW_DATA_ORG_ID].token

    @property
    def api_access_token(self) -> str:
        return self.sandbox.data.orgs[API_ACCESS_ORG_ID].token

    async def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()


class GatewayFactory(Protocol):
    def __call__(self, settings: Settings | None = None, sandbox: SandboxState | None = None) -> Any: ...


def sandbox_settings(**overrides: Any) -> Settings:
    return Settings.model_validate({"GATEWAY_SANDBOX": "true", **overrides})


@asynccontextmanager
async def running_gateway(
    settings: Settings | None = None, sandbox: SandboxState | None = None
) -> AsyncIterator[Gateway]:
    sandbox = sandbox or SandboxState(SandboxConfig())
    app = create_app(settings or sandbox_settings(), sandbox=sandbox)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Gateway(client, runtime_of(app), sandbox)


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async with running_gateway() as running:
        yield running


@pytest.fixture
def gateway_factory() -> GatewayFactory:
    return running_gateway


def errors_by_code(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for error in result.get("errors") or []:
        found.setdefault(error.get("extensions", {}).get("code", "?"), []).append(error)
    return found
