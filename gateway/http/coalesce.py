"""Identical concurrent operations from one scope execute once, cacheable or not.

A frontend (or a fleet of them behind one API key) often sends the same query several times at
once: a page and a widget asking for the same portfolio, a retry racing its original. With the
response cache on, a stored answer serves the later ones; but an uncacheable operation (an upstream
read that is never cached, an answer with errors) or a cache that is off made each one execute:
N identical upstream fan-outs. Here the first request for a key executes and the others wait for
its answer, then each sends its own copy.

The key is the scope: the principal's credential fingerprint, the media type asked for, the
document, the operation name, the variables (canonical) and whether the request registers a
persisted document. Different credentials never share an answer. Only queries coalesce; a mutation
(or anything that does not parse as a query) always executes. When the leader raises or is
cancelled, each waiting request executes itself: a follower never gets another scope's data, and
never an answer that was not produced for its own scope. A request that arrives after a cache
eviction (a webhook) never waits for an execution that began before it (``generation``, see
``gateway/cache/generations.py``): it executes, and later requests wait for it instead.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import orjson

__all__ = ["Coalescer", "coalescing_key"]

T = TypeVar("T")


def coalescing_key(
    principal_id: str, accept: bytes, document: str, operation_name: Any, variables: Any, registers: bool
) -> str:
    """What makes two requests the same execution: everything the answer depends on, the caller included."""
    canonical = orjson.dumps(
        [principal_id, accept.decode("latin-1"), document, operation_name or "", variables, registers],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


def _nothing() -> None:
    pass


class Coalescer(Generic[T]):
    """One execution per key at a time; requests for a key in flight wait for its answer.

    ``run(release)`` gives the answer, or None when there is nothing to share (it was sent in parts as
    it came); it calls ``release`` as soon as it knows, so the waiting requests go their own way then.
    """

    def __init__(self) -> None:
        self._inflight: dict[str, tuple[asyncio.Future[T | None], int | None]] = {}
        self.executions = 0  # answers produced by running (for tests and metrics)
        self.shared = 0  # answers handed to a waiting request instead

    async def once(
        self,
        key: str | None,
        run: Callable[[Callable[[], None]], Awaitable[T | None]],
        generation: int | None = None,
    ) -> T | None:
        """``run``'s answer; with a key, shared by every request for that key while it runs, if it
        began at the same eviction ``generation`` (None: evictions are not tracked)."""
        if key is None:
            return await self._run(run, _nothing)
        leader = self._inflight.get(key)
        if leader is not None and leader[1] == generation:
            answer = await asyncio.shield(leader[0])
            if answer is not None:
                self.shared += 1
                return answer
            return await self._run(run, _nothing)  # no answer to share (failed, or sent in parts): alone
        done: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = (done, generation)

        def settle(answer: T | None = None) -> None:
            if (self._inflight.get(key) or (None,))[0] is done:
                del self._inflight[key]
            if not done.done():
                done.set_result(answer)

        answer = None
        try:
            answer = await self._run(run, settle)
            return answer
        finally:
            settle(answer)

    async def _run(
        self, run: Callable[[Callable[[], None]], Awaitable[T | None]], release: Callable[[], None]
    ) -> T | None:
        self.executions += 1
        return await run(release)
