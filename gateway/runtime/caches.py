"""The caches one app shares: upstream reads (tenant-scoped) and whole responses, on one store."""

from __future__ import annotations

import hashlib
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from gateway.cache import UpstreamCache, open_store
from gateway.configs import CacheConfig
from gateway.response_cache.store import ResponseCache

__all__ = ["Caches", "open_caches", "schema_version"]

SDL_PATH = Path(__file__).parents[2] / "schema" / "schema.graphql"


@dataclass(frozen=True, slots=True)
class Caches:
    upstream: UpstreamCache | None  # GATEWAY_CACHE=false: none
    responses: ResponseCache | None  # needs the upstream cache (its TTLs and tags)


def open_caches(config: CacheConfig, stack: AsyncExitStack, *, trusted_documents: bool) -> Caches:
    """The store (memory or Redis, closed with the stack) and the two caches over it."""
    if not config.enabled:
        return Caches(None, None)
    store = open_store(config.url, config.max_bytes, config.max_entries)
    stack.push_async_callback(store.close)
    upstream = UpstreamCache(store, stale_s=config.stale_s, decoded_max_bytes=config.decoded_max_bytes)
    if not config.responses:
        return Caches(upstream, None)
    # what may run differs in trusted-documents mode: never share responses across the modes
    version = schema_version() + ("t" if trusted_documents else "")
    return Caches(upstream, ResponseCache(store, version, generations=upstream.generations))


def schema_version() -> str:
    """Part of every response-cache key: a deploy that changes the schema never serves old shapes."""
    return hashlib.sha256(SDL_PATH.read_bytes()).hexdigest()[:12]
