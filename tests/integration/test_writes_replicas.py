"""A write through one replica is fresh on every other (shared Redis store plus the eviction bus)."""

from __future__ import annotations

import pytest

from gateway.sandbox import SandboxState
from tests.conftest import Gateway
from tests.integration.test_redis import redis_url, replicas

pytestmark = pytest.mark.integration
__all__ = ["redis_url", "replicas"]  # the fixtures, shared with test_redis.py

READ = '{ org { project(id: "3001") { title } projects(first: 5) { nodes { id title } } } }'


async def test_a_write_on_one_replica_is_fresh_on_the_other(replicas: tuple[Gateway, Gateway, SandboxState]) -> None:
    first, second, sandbox = replicas
    before = await second.query(READ)
    assert (await second.query(READ)) == before  # now stored: served from the shared cache
    calls = sandbox.counts["opensolar.project_detail"]
    renamed = await first.query('mutation { updateProject(id: "3001", input: {title: "Renamed on A"}) { title } }')
    assert renamed["data"]["updateProject"] == {"title": "Renamed on A"}
    after = (await second.query(READ))["data"]["org"]
    assert after["project"]["title"] == "Renamed on A"
    assert after["projects"]["nodes"][0]["title"] == "Renamed on A"  # the list page was evicted too
    assert sandbox.counts["opensolar.project_detail"] == calls + 1  # read again, once, not waited out
