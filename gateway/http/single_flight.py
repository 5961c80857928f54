"""One execution per response-cache key at a time.

When a stored response expires under load, identical requests arriving meanwhile wait for the first
one's answer and are served it from the cache; if it was not stored (it had errors), each executes
after all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["SingleFlight"]


class SingleFlight:
    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Future[None]] = {}  # response-cache keys being executed

    def leader(self, key: str) -> asyncio.Future[None] | None:
        """The future of the execution already under way for ``key``, if any."""
        return self._inflight.get(key)

    @contextmanager
    def leading(self, key: str, *, first: bool) -> Iterator[Callable[[], None]]:
        """While the first request for ``key`` executes, the others find its future here.

        It yields ``release``: the others stop waiting before the end (an answer that streams in parts,
        asked for by persisted hash alone, is never stored: they need not wait for its last part).
        """
        if not first:
            yield _nothing
            return
        done = asyncio.get_running_loop().create_future()
        self._inflight[key] = done

        def release() -> None:
            if self._inflight.get(key) is done:
                del self._inflight[key]
            if not done.done():
                done.set_result(None)

        try:
            yield release
        finally:
            release()


def _nothing() -> None:
    pass
