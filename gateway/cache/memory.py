"""A bounded in-memory aiocache backend: LRU by bytes and entries, with per-key TTL.

aiocache 0.12's ``SimpleMemoryCache`` is an unbounded dict with one timer per key; this keeps an
``OrderedDict`` in recency order, evicts the least recently used entries past ``max_bytes`` or
``max_entries``, and expires lazily on read (no timers).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aiocache.base import BaseCache
from aiocache.serializers import BaseSerializer

__all__ = ["BoundedMemoryCache", "BytesSerializer"]


class BytesSerializer(BaseSerializer):  # type: ignore[misc]  # untyped base (aiocache)
    """Values are already bytes; store them as they are."""

    DEFAULT_ENCODING = None

    def dumps(self, value: Any) -> Any:
        return value

    def loads(self, value: Any) -> Any:
        return value


class BoundedMemoryCache(BaseCache):  # type: ignore[misc]  # aiocache 0.12 ships no type information
    NAME = "bounded-memory"

    def __init__(
        self, *, max_bytes: int, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic, **kwargs: Any
    ) -> None:
        super().__init__(serializer=BytesSerializer(), **kwargs)
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.evictions = 0
        self._clock = clock
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)

    def _drop(self, key: str) -> bool:
        entry = self._data.pop(key, None)
        if entry is None:
            return False
        self._bytes -= len(key) + len(entry[0])
        return True

    async def _get(self, key: str, encoding: str | None = None, _conn: Any = None) -> bytes | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        value, expires = entry
        if expires is not None and expires <= self._clock():
            self._drop(key)
            return None
        self._data.move_to_end(key)
        return value

    async def _set(
        self, key: str, value: bytes, ttl: float | None = None, _cas_token: Any = None, _conn: Any = None
    ) -> bool:
        self._drop(key)
        size = len(key) + len(value)
        if size > self.max_bytes:
            return False
        self._data[key] = (value, self._clock() + ttl if ttl else None)
        self._bytes += size
        while self._bytes > self.max_bytes or len(self._data) > self.max_entries:
            oldest = next(iter(self._data))
            self._drop(oldest)
            self.evictions += 1
        return True

    async def _delete(self, key: str, _conn: Any = None) -> int:
        return int(self._drop(key))

    async def _exists(self, key: str, _conn: Any = None) -> bool:
        return await self._get(key) is not None

    async def _clear(self, namespace: str | None = None, _conn: Any = None) -> bool:
        self._data.clear()
        self._bytes = 0
        return True
