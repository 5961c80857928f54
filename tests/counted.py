"""A header list that counts how often it is iterated: how tests see how many passes a request's headers get."""

from __future__ import annotations

from collections.abc import Iterator


class CountedHeaders(list[tuple[bytes, bytes]]):
    """An ASGI scope's ``headers``; ``reads`` is the number of times something iterated it."""

    reads = 0

    def __iter__(self) -> Iterator[tuple[bytes, bytes]]:
        self.reads += 1
        return super().__iter__()
