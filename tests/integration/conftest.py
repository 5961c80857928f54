"""Fixtures for integration tests that need a real sandbox server on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.servers import free_port, process


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    port = free_port()
    with process(["sandbox", "--port", str(port)], f"http://127.0.0.1:{port}/_sandbox/stats"):
        yield f"http://127.0.0.1:{port}"
