"""Events between replicas: an in-process bus, or Redis pub/sub when several replicas share Redis.

The webhook receiver publishes cache evictions (and, later, change notifications); every replica
subscribes, so one webhook reaching any replica evicts everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

import orjson
import redis.asyncio as redis

__all__ = ["CHANGES_CHANNEL", "EVICT_CHANNEL", "EventBus", "LocalBus", "RedisBus", "open_bus"]

logger = logging.getLogger("gateway.events")
CHANNEL_PREFIX = "sg:v1:events:"
EVICT_CHANNEL = "evict"  # cache tags a webhook made stale
CHANGES_CHANNEL = "changes"  # what changed, for subscriptions (projectChanged)


class EventBus(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...
    def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]: ...
    async def close(self) -> None: ...


class LocalBus:
    """Fan-out to this process's subscribers only."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in self._queues.get(channel, set()):
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=10_000)
        self._queues.setdefault(channel, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.get(channel, set()).discard(queue)

    async def close(self) -> None:
        self._queues.clear()


class RedisBus:
    """Redis pub/sub: every replica subscribed to a channel gets every message."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=None)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self.client.publish(CHANNEL_PREFIX + channel, orjson.dumps(message))

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(CHANNEL_PREFIX + channel)
        try:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    try:
                        yield orjson.loads(item["data"])
                    except orjson.JSONDecodeError:
                        logger.warning("ignored a malformed event on %s", channel)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

    async def close(self) -> None:
        await self.client.aclose()


def open_bus(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
