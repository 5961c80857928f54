"""One execution per response-cache key at a time.

When a stored response expires under load, identical requests arriving meanwhile wait for the first
one's answer and are served it from the cache; if it was not stored (it had errors), each executes
after all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SingleFlight"]


class SingleFlight:
    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Future[None]] = {}  # response-cache keys being executed

    def leader(self, key: str) -> asyncio.Future[None] | None:
        """The future of the execution already under way for ``key``, if any."""
        return self._inflight.get(key)

    @contextmanager
    def leading(self, key: str, *, first: bool) -> Iterator[None]:
        """While the first request for ``key`` executes, the others find its future here."""
        if not first:
            yield
            return
        done = asyncio.get_running_loop().create_future()
        self._inflight[key] = done
        try:
            yield
        finally:
            del self._inflight[key]
            done.set_result(None)
