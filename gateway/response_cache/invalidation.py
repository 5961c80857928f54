"""Evicting what a write made stale, here and on every other replica.

A gateway write knows exactly what it changed, so it does what the webhook receiver does for
OpenSolar's own changes: evict the tagged upstream reads and stored responses from the shared
store, and publish the tags on the event bus so every replica's listener evicts them too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from gateway.bus import EVICT_CHANNEL

if TYPE_CHECKING:
    from gateway.bus import EventBus
    from gateway.cache import UpstreamCache

__all__ = ["invalidate"]

logger = logging.getLogger("gateway.invalidation")


async def invalidate(cache: UpstreamCache | None, bus: EventBus, tags: Iterable[str]) -> int:
    """Evict ``tags`` (``opensolar:1001:project:3001``, ``opensolar:1001:list:projects``, ...) everywhere.

    Returns how many entries this replica evicted. A bus failure is logged, never raised: the write
    already happened upstream, and the other replicas' copies still expire with their TTL.
    """
    names = sorted(set(tags))
    if not names:
        return 0
    evicted = await cache.evict(names) if cache is not None else 0
    try:
        await bus.publish(EVICT_CHANNEL, {"tags": names, "reason": "write"})
    except Exception as exc:
        logger.warning("could not publish a write's eviction to other replicas: %s", exc)
    return evicted
