"""What a request reached is freed by reference counting, not left for the cycle collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from gateway.upstream.opensolar.models import ProjectRecord
from schema.loaders import Loaders
from schema.operations import load_operations
from tests.conftest import running_gateway, sandbox_settings


@contextmanager
def collector_off() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def alive(kind: type) -> int:
    return sum(1 for item in gc.get_objects() if type(item) is kind)


async def test_a_portfolio_leaves_no_loaders_or_records_behind_without_a_collection() -> None:
    """The executor (graphql-core's helpers hold it) and the loaders (their fetches hold them) make no cycles."""
    body = {"query": load_operations()["Portfolio"], "variables": {"first": 10}}
    settings = sandbox_settings(GATEWAY_CACHE="false", GATEWAY_RESPONSE_CACHE="false")  # every read executes
    async with running_gateway(settings) as gateway:
        await gateway.client.post("/graphql", json=body)  # warm: documents, schema caches
        with collector_off():
            before = alive(Loaders), alive(ProjectRecord)
            response = await gateway.client.post("/graphql", json=body)
            assert len(response.json()["data"]["org"]["projects"]["nodes"]) == 10
            del response
            assert (alive(Loaders), alive(ProjectRecord)) == before
