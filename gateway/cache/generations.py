"""Which evictions a fill raced: a read or an execution that began before a tag was evicted must not
store what it built from the old data after the eviction (it would stay for its whole TTL).

Every eviction is a new generation, remembered per tag. A fill notes the generation it started at
(``now``) and, before storing, asks ``raced(started, tags)``: was any of the tags its value depends
on evicted since? Then the value is handed to its callers (who asked before the change was known)
but not stored. A request that arrives after an eviction never joins a read or an execution that
began before it (``since``). Per process, like the evictions that bump it (a webhook here, or one
relayed from another replica by the event bus); the memory is bounded, and a fill older than what
was forgotten counts as raced.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

__all__ = ["Generations"]


class Generations:
    """A counter bumped by every eviction, and the generation each tag was last evicted at."""

    def __init__(self, max_tags: int = 100_000) -> None:
        self.now = 0
        self.max_tags = max_tags
        self._evicted: OrderedDict[str, int] = OrderedDict()
        self._forgotten = 0  # the newest generation dropped from memory: older fills count as raced

    def bump(self, tags: Iterable[str]) -> int:
        """Record an eviction of ``tags``; the new generation."""
        self.now += 1
        for tag in tags:
            self._evicted[tag] = self.now
            self._evicted.move_to_end(tag)
        while len(self._evicted) > self.max_tags:
            _, generation = self._evicted.popitem(last=False)
            self._forgotten = max(self._forgotten, generation)
        return self.now

    def since(self, started: int) -> bool:
        """Whether anything was evicted after generation ``started``."""
        return self.now > started

    def raced(self, started: int, tags: Iterable[str]) -> bool:
        """Whether one of ``tags`` was evicted after generation ``started`` (a fill begun then is stale)."""
        if self.now == started:
            return False
        if started < self._forgotten:
            return True
        return any(self._evicted.get(tag, 0) > started for tag in tags)
