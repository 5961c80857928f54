"""A request's memo of upstream reads: each key fetched once, each answer delivered as it arrives.

Strawberry's ``DataLoader`` collects the keys asked for in one tick into one batch and resolves
them when the whole batch is done. The upstreams have no batch endpoints, so every key is fetched
on its own anyway, and the batch only made the first answers wait for the slowest: a cold
portfolio's ten Arcadia searches run four at a time, and every project waited for the third wave
before asking for its project detail. Here each key is one task of its own (started at once, in
the caller's context, so the request's read trace and deadline travel with it); its answer, or
its error, reaches whoever loads that key, when it is there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Memo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    def __init__(self, fetch: Callable[[K], Awaitable[V]]) -> None:
        self._fetch = fetch
        self._tasks: dict[K, asyncio.Future[V]] = {}

    def load(self, key: K) -> asyncio.Future[V]:
        """The read of ``key``: started by the first load, shared by every later one."""
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(self._fetch(key))
        return task

    def clear(self, key: K) -> None:
        """Forget ``key`` (after a write changed it); ``KeyError`` when it was never loaded."""
        del self._tasks[key]
