"""The cross-request upstream cache: tenant-scoped keys, bounded memory or Redis, tags, stale-if-error."""

from gateway.cache.scope import CacheScope
from gateway.cache.store import CacheStore, open_store
from gateway.cache.upstream import CachePolicy, StaleRead, UpstreamCache, stale_reads

__all__ = [
    "CachePolicy",
    "CacheScope",
    "CacheStore",
    "StaleRead",
    "UpstreamCache",
    "open_store",
    "stale_reads",
]
