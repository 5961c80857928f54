"""The cross-request upstream cache: tenant-scoped keys, bounded memory or Redis, tags, stale-if-error."""

from gateway.cache.scope import CacheScope
from gateway.cache.store import CacheStore, open_store
from gateway.cache.trace import ReadTrace, read_trace
from gateway.cache.upstream import CachePolicy, StaleRead, UpstreamCache, stale_reads

__all__ = [
    "CachePolicy",
    "CacheScope",
    "CacheStore",
    "ReadTrace",
    "StaleRead",
    "UpstreamCache",
    "open_store",
    "read_trace",
    "stale_reads",
]
