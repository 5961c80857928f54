from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.sandbox import SandboxConfig, SandboxState, create_sandbox_app


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(SandboxConfig())


@pytest.fixture
async def upstream(state: SandboxState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_sandbox_app(state=state))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        yield client
