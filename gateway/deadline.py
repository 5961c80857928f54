"""The per-request deadline (``GATEWAY_REQUEST_DEADLINE_S``): no upstream wait outlives it.

``start_deadline`` runs where a request's GraphQL context is made. From then on every upstream call
of that request (retries, pacing and single-flight waits included) is bounded by what is left, and
raises ``UpstreamTimeout`` when it passes: that path gets UPSTREAM_TIMEOUT and the answer goes out
with whatever is ready, instead of waiting out read timeouts times retries (issue 10, row 11).
Without a started deadline (webhooks, scripts, subscriptions) nothing is bounded here.
"""

from __future__ import annotations

import asyncio
import math
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType

from gateway.errors import UpstreamTimeout

__all__ = ["Deadline", "current_deadline", "remaining_s", "renewed", "start_deadline", "within_deadline"]


@dataclass(frozen=True, slots=True)
class Deadline:
    at: float  # event-loop time
    budget_s: float

    def remaining_s(self) -> float:
        return self.at - asyncio.get_running_loop().time()


current_deadline: ContextVar[Deadline | None] = ContextVar("request_deadline", default=None)


def start_deadline(budget_s: float) -> Deadline:
    """Start this request's deadline (in the current context, so every task it spawns inherits it)."""
    deadline = Deadline(asyncio.get_running_loop().time() + budget_s, budget_s)
    current_deadline.set(deadline)
    return deadline


def renewed() -> None:
    """A fresh deadline of the same budget, for work that outlives its request (a background refresh)."""
    deadline = current_deadline.get()
    if deadline is not None:
        start_deadline(deadline.budget_s)


def remaining_s() -> float:
    """Seconds left before the current request's deadline; infinite without one."""
    deadline = current_deadline.get()
    return math.inf if deadline is None else deadline.remaining_s()


class within_deadline:  # named as the function it replaced: ``async with within_deadline(name):``
    """Bound the block by the request's deadline; past it, raise ``UpstreamTimeout``.

    A class rather than a generator-based context manager: every upstream call enters one.
    """

    __slots__ = ("_deadline", "_scope", "_upstream")

    def __init__(self, upstream: str) -> None:
        self._upstream = upstream
        self._deadline = current_deadline.get()
        self._scope: asyncio.Timeout | None = None

    async def __aenter__(self) -> None:
        if self._deadline is not None:
            self._scope = asyncio.timeout_at(self._deadline.at)
            await self._scope.__aenter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._scope is None or self._deadline is None:
            return
        try:
            await self._scope.__aexit__(kind, exc, traceback)
        except TimeoutError:
            if not self._scope.expired():
                raise
            raise UpstreamTimeout(
                f"{self._upstream}: no answer within the request's {self._deadline.budget_s:g} s deadline.",
                upstream=self._upstream,
                deadline=True,
            ) from None
