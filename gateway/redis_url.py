"""Which configured URLs name Redis: the one check, used by the settings, the cache store and the pacer."""

from __future__ import annotations

__all__ = ["REDIS_SCHEMES", "redis_url"]

REDIS_SCHEMES = ("redis://", "rediss://")


def redis_url(url: str | None) -> str | None:
    """``url`` when it names a Redis server (``redis://`` or ``rediss://``), else None: this process alone."""
    return url if url and url.startswith(REDIS_SCHEMES) else None
