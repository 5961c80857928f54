"""Changes between replicas: the bus, what it evicts here, and the feed resolvers see.

A write evicts what it made stale here and on every replica (``gateway/response_cache/invalidation.py``); a
webhook's change reaches the org's subscribers on every replica. ``ChangeFeed`` is what resolvers
get of it: ``invalidate`` after a write, ``subscribe`` for a subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from gateway.bus import CHANGES_CHANNEL, EVICT_CHANNEL, EventBus, open_bus
from gateway.cache import UpstreamCache
from gateway.configs import BusConfig
from gateway.response_cache.invalidation import invalidate
from gateway.upstream.opensolar.project_inputs import SystemInputs

__all__ = ["ChangeFeed", "open_changes"]

REPLAY_EVERY_S = 0.5  # how often evictions deferred by a Redis outage are retried


@dataclass(frozen=True, slots=True)
class ChangeFeed:
    """What resolvers need of the bus: evict after a write, hear the org's changes."""

    cache: UpstreamCache | None
    bus: EventBus
    inputs: SystemInputs = field(default_factory=SystemInputs)  # what webhooks said the systems were built from

    async def invalidate(self, tags: Iterable[str]) -> int:
        return await invalidate(self.cache, self.bus, tags)

    def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        return self.bus.subscribe(CHANGES_CHANNEL)


def open_changes(config: BusConfig, cache: UpstreamCache | None, stack: AsyncExitStack) -> ChangeFeed:
    """The bus, started, evicting what other replicas report; closed with the stack (before the store)."""
    bus = open_bus(config.url, queue_size=config.subscriber_queue)
    stack.push_async_callback(bus.close)
    if cache is not None:
        bus.on_remote(EVICT_CHANNEL, _evict_for_other_replicas(cache))
        stack.push_async_callback(_cancel, asyncio.create_task(_replay_evictions(cache.store)))
    bus.start()
    return ChangeFeed(cache, bus)


def _evict_for_other_replicas(cache: UpstreamCache) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """What another replica's webhook (or write) made stale: evicted before its change is delivered here."""

    async def evict(message: dict[str, Any]) -> None:
        tags = message.get("tags")
        if isinstance(tags, list):
            await cache.evict(str(tag) for tag in tags)

    return evict


async def _replay_evictions(store: object) -> None:
    """Evictions a Redis outage deferred are applied as soon as Redis answers, for every replica's sake."""
    flush = getattr(store, "flush_evictions", None)
    while flush is not None:
        await asyncio.sleep(REPLAY_EVERY_S)
        if getattr(store, "pending_evictions", 0):
            with contextlib.suppress(Exception):  # still down: the store logged it; next round
                await flush()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        async with asyncio.timeout(5):
            await task
