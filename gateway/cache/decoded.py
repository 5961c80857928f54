"""Stored bytes -> their decoded value, so a warm read does not decode the same bytes again.

Decoding was a large share of warm requests: JSON and pydantic models for every cached upstream read
(a sixth of a portfolio request), and splitting a stored response into its ETag, expiry and body
(a copy of the whole body on every response-cache hit). A remembered value is used only while the
store still returns the very same bytes (the identical object from the memory store, equal bytes
from Redis) and the same decoder asks, so it is never older than the store. Decoders must make
values that are safe to share between requests (frozen models, immutable records).

Bounded by entries and by the stored bytes it stands for (a ``cachetools.LRUCache`` with the bytes
as its budget), least recently used out; a decoded value
usually takes more memory than its bytes (about five times for the portfolio's upstream reads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cachetools import LRUCache

__all__ = ["DecodedEntries"]

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Decoded(Generic[V]):
    raw: bytes
    decode: Callable[..., Any]
    value: V


class DecodedEntries(Generic[V]):
    def __init__(self, max_entries: int = 4096, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: LRUCache[str, _Decoded[V]] = LRUCache(maxsize=max_bytes, getsizeof=_raw_size)

    def get(self, key: str, raw: bytes, decode: Callable[..., Any]) -> V | None:
        try:
            known = self._entries[key]  # marks it the most recently used
        except KeyError:
            return None
        if known.decode is not decode or not (known.raw is raw or known.raw == raw):
            return None
        return known.value

    def put(self, key: str, raw: bytes, decode: Callable[..., Any], value: V) -> None:
        self.drop(key)
        if len(raw) > self.max_bytes // 16:
            return
        self._entries[key] = _Decoded(raw, decode, value)
        while len(self._entries) > self.max_entries:
            self._entries.popitem()

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)


def _raw_size(entry: _Decoded[Any]) -> int:
    return len(entry.raw)
