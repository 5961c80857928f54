"""What one running app holds for its lifetime, as a few typed pieces, each opened by its own function.

``open_runtime`` (in the lifespan) opens them in order and closes them in reverse: the caches' store,
OpenSolar's budgets, the upstream clients, the bus (closed before the store), the front door's quota
storage; then metrics, given the counters it reports on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from gateway.observability import Metrics, Reported, UpstreamReport
from gateway.runtime.caches import Caches, open_caches
from gateway.runtime.changes import ChangeFeed, open_changes
from gateway.runtime.front_door import FrontDoor, open_front_door
from gateway.runtime.upstreams import UpstreamClients, open_pacer, open_upstreams
from gateway.sandbox import SandboxState
from gateway.settings import Settings

__all__ = ["Caches", "ChangeFeed", "FrontDoor", "Runtime", "UpstreamClients", "open_runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    upstreams: UpstreamClients
    caches: Caches
    changes: ChangeFeed
    front_door: FrontDoor
    metrics: Metrics


@asynccontextmanager
async def open_runtime(
    settings: Settings, sandbox: SandboxState | None = None, *, operations: Mapping[str, str]
) -> AsyncIterator[Runtime]:
    """``operations`` are the named documents the schema ships (the trusted ones in trusted-documents mode)."""
    async with AsyncExitStack() as stack:
        caches = open_caches(settings.caches, stack, trusted_documents=settings.edge.trusted_documents)
        upstreams = await open_upstreams(
            settings.upstreams,
            stack,
            cache=caches.upstream,
            pacer=open_pacer(settings.pacing, stack),
            ttls=settings.caches.ttls,
            sandbox=sandbox,
        )
        changes = open_changes(settings.bus, caches.upstream, stack)
        front_door = open_front_door(settings.edge, stack, caches=caches, upstreams=upstreams, operations=operations)
        yield Runtime(
            settings, upstreams, caches, changes, front_door, _metrics(upstreams, caches, changes, front_door)
        )


def _metrics(upstreams: UpstreamClients, caches: Caches, changes: ChangeFeed, front_door: FrontDoor) -> Metrics:
    """Metrics, told of every upstream call and given the counters it reports at scrape time."""
    metrics = Metrics()
    clients = (upstreams.opensolar, upstreams.arcadia)
    for client in clients:
        client.observer = metrics.upstream_call
    metrics.watch(
        Reported(
            cache=caches.upstream.stats if caches.upstream is not None else None,
            bus=changes.bus.stats,
            responses=caches.responses.stats if caches.responses is not None else None,
            pacing=upstreams.pacer.stats if upstreams.pacer is not None else None,
            upstreams=tuple(UpstreamReport(client.name, client.stats, client.slots) for client in clients),
            tokens=front_door.authenticator.stats,
            inbound=front_door.inbound.stats if front_door.inbound is not None else None,
            persisted=front_door.documents.stats,
        )
    )
    return metrics
