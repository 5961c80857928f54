"""What one request read: the smallest remaining TTL, the resources (tags), and whether all of it was cacheable.

The response cache stores a response only when every upstream read behind it was a cacheable,
fresh read, for no longer than the shortest-lived of them, tagged with every resource it used.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["ReadTrace", "read_trace"]


@dataclass
class ReadTrace:
    ttl_s: float | None = None
    tags: set[str] = field(default_factory=set)
    cacheable: bool = True

    def read(self, remaining_s: float, tags: Iterable[str]) -> None:
        self.ttl_s = remaining_s if self.ttl_s is None else min(self.ttl_s, remaining_s)
        self.tags.update(tags)

    def spoil(self) -> None:
        self.cacheable = False


# Set per HTTP request by the gate; DataLoader tasks copy the context, so they share the object.
read_trace: ContextVar[ReadTrace | None] = ContextVar("read_trace", default=None)
