"""Fixtures for integration tests that need a real sandbox server on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

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
