"""A bounded in-memory aiocache backend: LRU by bytes and entries, with per-key TTL.

aiocache 0.12's ``SimpleMemoryCache`` is an unbounded dict with one timer per key; this keeps the
entries in a ``cachetools.LRUCache`` whose budget is their bytes (key and value), evicts the least
recently used past ``max_bytes`` or ``max_entries``, and expires lazily on read (no timers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

from aiocache.base import BaseCache
from aiocache.serializers import BaseSerializer
from cachetools import LRUCache

__all__ = ["BoundedMemoryCache", "BytesSerializer"]


class BytesSerializer(BaseSerializer):  # type: ignore[misc]  # untyped base (aiocache)
    """Values are already bytes; store them as they are."""

    DEFAULT_ENCODING = None

    def dumps(self, value: Any) -> Any:
        return value

    def loads(self, value: Any) -> Any:
        return value


class _Stored(NamedTuple):
    value: bytes
    expires: float | None
    size: int  # key and value bytes: what the budget counts


class _LeastRecentlyUsed(LRUCache[str, _Stored]):
    """cachetools' LRU under a byte budget, counting what it evicts to stay under it."""

    evictions = 0

    def popitem(self) -> tuple[str, _Stored]:
        item = super().popitem()
        self.evictions += 1
        return item


class BoundedMemoryCache(BaseCache):  # type: ignore[misc]  # aiocache 0.12 ships no type information
    NAME = "bounded-memory"

    def __init__(
        self, *, max_bytes: int, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic, **kwargs: Any
    ) -> None:
        super().__init__(serializer=BytesSerializer(), **kwargs)
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._clock = clock
        self._data = _LeastRecentlyUsed(maxsize=max_bytes, getsizeof=_size)

    @property
    def evictions(self) -> int:
        return self._data.evictions

    @property
    def size_bytes(self) -> int:
        return int(self._data.currsize)

    def __len__(self) -> int:
        return len(self._data)

    async def _get(self, key: str, encoding: str | None = None, _conn: Any = None) -> bytes | None:
        return self.lookup(key)

    def lookup(self, key: str) -> bytes | None:
        """The live value under ``key`` (marked the most recently used), or None: a dictionary read, no await."""
        try:
            entry = self._data[key]  # marks it the most recently used
        except KeyError:
            return None
        if entry.expires is not None and entry.expires <= self._clock():
            del self._data[key]
            return None
        return entry.value

    async def _set(
        self, key: str, value: bytes, ttl: float | None = None, _cas_token: Any = None, _conn: Any = None
    ) -> bool:
        self._data.pop(key, None)
        size = len(key) + len(value)
        if size > self.max_bytes:
            return False
        self._data[key] = _Stored(value, self._clock() + ttl if ttl else None, size)
        while len(self._data) > self.max_entries:
            self._data.popitem()
        return True

    async def _delete(self, key: str, _conn: Any = None) -> int:
        return int(self._data.pop(key, None) is not None)

    async def _exists(self, key: str, _conn: Any = None) -> bool:
        return await self._get(key) is not None

    async def _clear(self, namespace: str | None = None, _conn: Any = None) -> bool:
        self._data.clear()
        return True


def _size(entry: _Stored) -> int:
    return entry.size
