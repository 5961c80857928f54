"""Events between replicas: fan-out to this process's subscribers, relayed through a Redis stream.

A published message reaches this process's subscribers at once (never waiting on Redis) and, when a
Redis URL is configured, is appended to one capped Redis stream that every replica reads from the
last entry it saw (``XREAD``), skipping its own; so a replica whose connection dropped for a while
catches up on what it missed instead of losing it, as Redis pub/sub would. Each subscriber has a
bounded queue: one that falls more than ``queue_size`` messages behind is dropped and its iterator
raises ``SlowSubscriber``, so a subscriber that never reads holds a bounded amount of memory. When
Redis is unreachable, publishing degrades to this process alone (a warning once per outage,
``stats["publish_failed"]``) and the messages wait in a bounded outbox that is appended, in order, as
soon as Redis answers again: a webhook received during an outage still reaches the other replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gateway.errors import GatewayError

__all__ = [
    "CHANGES_CHANNEL",
    "CHANNEL_PREFIX",
    "EVICT_CHANNEL",
    "EventBus",
    "SlowSubscriber",
    "open_bus",
]

logger = logging.getLogger("gateway.events")
CHANNEL_PREFIX = "sg:v1:events:"
STREAM = CHANNEL_PREFIX + "stream"  # one stream for every channel, capped (approximately) at STREAM_MAXLEN
STREAM_MAXLEN = 10_000
EVICT_CHANNEL = "evict"  # cache tags a webhook made stale
CHANGES_CHANNEL = "changes"  # what changed, for subscriptions
CHANNELS = (EVICT_CHANNEL, CHANGES_CHANNEL)
OUTBOX_SIZE = 10_000  # messages kept for the other replicas while Redis is down (oldest dropped first)
SEEN_IDS = 4096  # recent message ids, so a message published twice (a retry that did land) counts once
PUBLISH_TIMEOUT_S = 1.0
RETRY_S = 0.5  # how often the listener retries Redis, and replays the outbox, during an outage


class SlowSubscriber(GatewayError):
    """A subscriber fell too far behind the changes it subscribed to and was dropped."""

    code = "SLOW_SUBSCRIBER"


class _Subscriber:
    __slots__ = ("dropped", "limit", "queue", "ready")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.queue: deque[dict[str, Any]] = deque()
        self.dropped = False
        self.ready = asyncio.Event()


class EventBus:
    """Bounded in-process fan-out, plus a Redis stream between replicas when ``redis_url`` is given."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        queue_size: int = 256,
        outbox_size: int = OUTBOX_SIZE,
        retry_s: float = RETRY_S,
    ) -> None:
        self.origin = secrets.token_hex(8)
        self.queue_size = queue_size
        self.retry_s = retry_s
        self.stats: Counter[str] = Counter()
        self.connected = asyncio.Event()  # the listener is subscribed to Redis
        self._subscribers: dict[str, set[_Subscriber]] = {}
        self._taps: dict[str, list[Callable[[dict[str, Any]], Awaitable[None]]]] = {}
        self._outbox: deque[tuple[str, bytes]] = deque(maxlen=outbox_size)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._down = False
        self._listener: asyncio.Task[None] | None = None
        self._client: redis.Redis | None = None
        if redis_url:
            # one quick retry covers a pooled connection that died with a Redis restart; anything
            # slower is an outage, handled here rather than inside redis-py's backoff
            self._client = redis.Redis.from_url(
                redis_url, socket_connect_timeout=1.0, socket_timeout=None, retry=Retry(NoBackoff(), 1)
            )

    @property
    def distributed(self) -> bool:
        return self._client is not None

    @property
    def pending(self) -> int:
        """Messages waiting for Redis to come back."""
        return len(self._outbox)

    def subscribers(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def queued(self, channel: str) -> int:
        """The longest queue among the channel's subscribers (bounded by ``queue_size``)."""
        return max((len(s.queue) for s in self._subscribers.get(channel, ())), default=0)

    def on_remote(self, channel: str, handler: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        """Run ``handler`` on every message another replica publishes on ``channel``, in order, before
        this replica's subscribers see it (cache evictions: a change is never resolved from a stale entry).
        """
        self._taps.setdefault(channel, []).append(handler)

    def start(self) -> None:
        """Start relaying the other replicas' messages (call inside the running loop)."""
        if self._client is not None and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="event-bus-listener")

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver here at once; publish for the other replicas (later, if Redis is down). Never raises."""
        self._deliver(channel, message)
        if self._client is None:
            return
        envelope = {"id": secrets.token_hex(8), "origin": self.origin, "channel": channel, "message": message}
        data = orjson.dumps(envelope)
        if self._outbox:  # older messages go first
            self._defer(channel, data)
            await self.flush()
            return
        try:
            await self._send(channel, data)
        except Exception as exc:
            self._outage(exc)
            self._defer(channel, data)

    def subscribe(self, channel: str, *, queue_size: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """This process's messages on ``channel`` (local and relayed), from now on.

        The subscriber is registered at once (not at its first read), so nothing published after
        this call is missed.
        """
        subscriber = _Subscriber(queue_size or self.queue_size)
        self._subscribers.setdefault(channel, set()).add(subscriber)
        return self._drain(channel, subscriber)

    async def _drain(self, channel: str, subscriber: _Subscriber) -> AsyncIterator[dict[str, Any]]:
        try:
            while True:
                while not subscriber.queue:
                    if subscriber.dropped:
                        raise SlowSubscriber(
                            f"This subscription fell more than {subscriber.limit} changes behind and was closed; "
                            "subscribe again (and read faster) to receive new changes."
                        )
                    subscriber.ready.clear()
                    await subscriber.ready.wait()
                yield subscriber.queue.popleft()
        finally:
            self._forget(channel, subscriber)

    def _forget(self, channel: str, subscriber: _Subscriber) -> None:
        subscribers = self._subscribers.get(channel)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[channel]

    def _deliver(self, channel: str, message: dict[str, Any]) -> None:
        self.stats["delivered"] += 1
        for subscriber in list(self._subscribers.get(channel, ())):
            if len(subscriber.queue) >= subscriber.limit:
                subscriber.dropped = True
                subscriber.queue.clear()
                self._forget(channel, subscriber)
                self.stats["subscribers_dropped"] += 1
                logger.warning("dropped a subscriber to %s: more than %d messages behind", channel, subscriber.limit)
            else:
                subscriber.queue.append(message)
            subscriber.ready.set()

    async def _send(self, channel: str, data: bytes) -> None:
        assert self._client is not None
        async with asyncio.timeout(PUBLISH_TIMEOUT_S):
            await self._client.xadd(STREAM, {"d": data}, maxlen=STREAM_MAXLEN, approximate=True)
        self.stats["published"] += 1
        self._recovered()

    def _defer(self, channel: str, data: bytes) -> None:
        if len(self._outbox) == self._outbox.maxlen:
            self.stats["outbox_dropped"] += 1
        self._outbox.append((channel, data))
        self.stats["deferred"] += 1

    async def flush(self) -> bool:
        """Publish what waited for Redis, oldest first; False if Redis is still down."""
        while self._outbox:
            channel, data = self._outbox[0]
            try:
                await self._send(channel, data)
            except Exception as exc:
                self._outage(exc)
                return False
            self._outbox.popleft()
            self.stats["replayed"] += 1
        return True

    def _outage(self, exc: BaseException) -> None:
        self.stats["publish_failed"] += 1
        if not self._down:
            self._down = True
            logger.warning(
                "event bus: Redis unreachable (%s: %s); delivering to this replica only and keeping "
                "messages for the others until it answers",
                type(exc).__name__,
                exc,
            )

    def _recovered(self) -> None:
        if self._down:
            self._down = False
            logger.warning("event bus: Redis answers again; %d waiting messages being published", len(self._outbox))

    async def _relay(self, data: bytes) -> None:
        try:
            envelope = orjson.loads(data)
            channel, message = str(envelope["channel"]), envelope["message"]
            origin, message_id = envelope.get("origin"), str(envelope.get("id"))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            self.stats["malformed"] += 1
            logger.warning("ignored a malformed event on the bus")
            return
        if origin == self.origin or not isinstance(message, dict) or message_id in self._seen:
            return  # ours (delivered when published), or a duplicate
        self._seen[message_id] = None
        if len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        self.stats["relayed"] += 1
        for handler in self._taps.get(channel, ()):
            try:
                await handler(message)
            except Exception as exc:
                self.stats["handler_errors"] += 1
                logger.warning("event bus: a handler for %s failed: %s", channel, exc)
        self._deliver(channel, message)

    async def _listen(self) -> None:
        """Read the stream from where this replica left off; reconnect (and catch up) after an outage."""
        client: Any = self._client  # redis-py's stream replies are loosely typed
        last: str | None = None
        while True:
            try:
                if last is None:  # from now on: the newest entry so far, or the beginning
                    newest = await client.xrevrange(STREAM, count=1)
                    last = newest[0][0].decode() if newest else "0-0"
                self.connected.set()
                while True:
                    if self._outbox:
                        await self.flush()
                    batches = await client.xread({STREAM: last}, count=500, block=int(self.retry_s * 1000))
                    if self._down:
                        self._recovered()
                    for _, entries in batches or []:
                        for entry_id, fields in entries:
                            last = entry_id.decode()
                            await self._relay(fields.get(b"d", b""))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected.clear()
                self.stats["listener_errors"] += 1
                self._outage(exc)
            await asyncio.sleep(self.retry_s)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        for subscribers in self._subscribers.values():
            for subscriber in subscribers:
                subscriber.ready.set()
        if self._client is not None:
            await self._client.aclose()


def open_bus(redis_url: str | None, *, queue_size: int = 256) -> EventBus:
    return EventBus(redis_url, queue_size=queue_size)
