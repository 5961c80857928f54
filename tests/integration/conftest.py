"""Fixtures for integration tests that need a real sandbox server on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.app import GatewayGraphQL
from tests.integration.servers import serving


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[str]:
    with serving(["sandbox"], "/_sandbox/stats") as (_, url):
        yield url


@pytest.fixture
def sandbox_url(sandbox_server: str) -> str:
    """The module's sandbox server, reset: no counters, faults or throttle history from another test."""
    httpx.post(f"{sandbox_server}/_sandbox/reset").raise_for_status()
    return sandbox_server


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many GraphQL executions began: each builds one context."""
    counted = [0]
    original = GatewayGraphQL.get_context

    async def counting(self: GatewayGraphQL, request: Any, response: Any) -> Any:
        counted[0] += 1
        return await original(self, request, response)

    monkeypatch.setattr(GatewayGraphQL, "get_context", counting)
    return counted
