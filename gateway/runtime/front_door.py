"""What the front door holds for every way in: who is calling, their inbound quota, persisted documents."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass

from gateway.cache.store import MemoryStore
from gateway.configs import EdgeConfig
from gateway.http.auth import Authenticator, opensolar_token_check
from gateway.http.inbound import Quota, parse_rates
from gateway.http.persisted import PersistedDocuments, sha256_hex
from gateway.runtime.caches import Caches
from gateway.runtime.upstreams import UpstreamClients
from gateway.upstream.pacing import open_pacer_storage

__all__ = ["FrontDoor", "open_front_door"]

APQ_STORE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FrontDoor:
    authenticator: Authenticator
    inbound: Quota | None  # requests per principal
    documents: PersistedDocuments


def open_front_door(
    config: EdgeConfig,
    stack: AsyncExitStack,
    *,
    caches: Caches,
    upstreams: UpstreamClients,
    operations: Mapping[str, str],
) -> FrontDoor:
    """``operations`` are the named documents the schema ships (the only ones in trusted-documents mode)."""
    quota_storage = open_pacer_storage(config.redis_url)  # shared by replicas with Redis
    stack.push_async_callback(_close_storage, quota_storage)
    inbound_rates = parse_rates(config.inbound_rate_limit)
    return FrontDoor(
        authenticator=_authenticator(config, upstreams),
        inbound=Quota(quota_storage, inbound_rates, name="inbound") if inbound_rates else None,
        documents=PersistedDocuments(
            # Persisted queries live with the cache (shared through Redis); a small store when it is off.
            caches.upstream.store if caches.upstream is not None else MemoryStore(APQ_STORE_BYTES),
            apq=config.persisted_queries,
            trusted={sha256_hex(text): text for text in operations.values()} if config.trusted_documents else None,
            per_credential=Quota(quota_storage, parse_rates(config.apq_per_credential), name="apq"),
            total=Quota(quota_storage, parse_rates(config.apq_total), name="apq-total"),
        ),
    )


def _authenticator(config: EdgeConfig, upstreams: UpstreamClients) -> Authenticator:
    sandbox = upstreams.sandbox is not None
    opensolar = upstreams.opensolar
    return Authenticator(
        api_key_hashes=config.api_key_hashes,
        pass_through=config.pass_through,
        server_token=upstreams.default_token,
        sandbox=sandbox,
        # the sandbox is open to anyone anyway; elsewhere OpenSolar vouches for each token once
        check=None if sandbox else opensolar_token_check(opensolar.http, opensolar.config.base_url),
        verified_ttl_s=config.token_verified_ttl_s,
        refused_ttl_s=config.token_refused_ttl_s,
    )


async def _close_storage(storage: object) -> None:
    client = getattr(getattr(storage, "bridge", None), "storage", None)  # limits' redis-py client
    if client is not None:
        await client.aclose()
