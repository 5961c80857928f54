"""Whether the response being built may be stored by the response cache, for how long, under which tags.

The front door opens one ``Cacheability`` around each execution (``Cacheability.collect``); the
upstream layer reports every read to it: a fresh cached read narrows the TTL to what that read has
left and adds its tags; a stale read, an uncached read or a write forbids storing the response, as
does an operation that is not a query or has errors. The response cache (``gateway/response_cache/``)
stores a response only when nothing forbade it, for no longer than the shortest-lived read, tagged
with every resource it used, so a webhook about any of them evicts it.

This module imports nothing of the gateway: the upstream layer (``gateway/cache/``,
``gateway/upstream/``) reports here without depending on the response cache that reads the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Cacheability"]


class Cacheability:
    """One request's verdict. DataLoader tasks copy the context, so they report to the same object."""

    __slots__ = ("forbidden", "tags", "ttl_s")

    def __init__(self) -> None:
        self.ttl_s: float | None = None  # the shortest time a read behind the response has left
        self.tags: set[str] = set()
        self.forbidden: str | None = None  # why the response may not be stored

    @property
    def cacheable(self) -> bool:
        return self.forbidden is None and self.ttl_s is not None

    def report_read(self, ttl_s: float, tags: Iterable[str], *, fresh: bool = True) -> None:
        """A cached upstream read with ``ttl_s`` left; a stale one (``fresh=False``) forbids storing."""
        if not fresh:
            self.forbid("stale read")
            return
        self.ttl_s = ttl_s if self.ttl_s is None else min(self.ttl_s, ttl_s)
        self.tags.update(tags)

    def forbid(self, reason: str) -> None:
        if self.forbidden is None:
            self.forbidden = reason

    @staticmethod
    def current() -> Cacheability | None:
        """The verdict of the response being built, or None outside the front door (tests, scripts)."""
        return _current.get()

    @classmethod
    @contextmanager
    def collect(cls) -> Iterator[Cacheability]:
        """Around one execution: every report made inside goes to the yielded object."""
        verdict = cls()
        token = _current.set(verdict)
        try:
            yield verdict
        finally:
            _current.reset(token)


_current: ContextVar[Cacheability | None] = ContextVar("cacheability", default=None)
