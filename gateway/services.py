"""The long-lived pieces one app instance shares across requests, built in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from gateway.bus import EVICT_CHANNEL, EventBus, open_bus
from gateway.cache import UpstreamCache, open_store
from gateway.cache.store import MemoryStore
from gateway.http.auth import Authenticator, opensolar_token_check
from gateway.http.inbound import Quota, parse_rates
from gateway.http.persisted import PersistedDocuments, sha256_hex
from gateway.observability import Metrics
from gateway.response_cache.store import ResponseCache
from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState, create_sandbox_app
from gateway.settings import Settings
from gateway.upstream.arcadia.client import ArcadiaClient
from gateway.upstream.config import UpstreamConfig
from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.opensolar.design_codec import DesignCodec
from gateway.upstream.pacing import Pacer, open_pacer_storage
from gateway.upstream.quotas import parse_quotas
from gateway.upstream.retry import RetryPolicy

__all__ = ["SANDBOX_ORIGIN", "Services", "open_services"]

logger = logging.getLogger("gateway")
SANDBOX_ORIGIN = "http://sandbox.invalid"  # never resolved: the transport is the in-process sandbox
APQ_STORE_BYTES = 16 * 1024 * 1024
SDL_PATH = Path(__file__).parents[1] / "schema" / "schema.graphql"


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    opensolar: OpenSolarClient
    arcadia: ArcadiaClient
    designs: DesignCodec
    cache: UpstreamCache | None
    pacer: Pacer | None
    bus: EventBus
    documents: PersistedDocuments
    response_cache: ResponseCache | None
    metrics: Metrics
    authenticator: Authenticator
    inbound: Quota | None  # requests per principal
    default_token: str | None
    default_org_id: int | None
    sandbox: SandboxState | None


def _client(config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    # httpx's own connection pool slows down sharply past a few dozen concurrent requests
    # (encode/httpx#3215); aiohttp does the socket I/O behind the same httpx API.
    return httpx.AsyncClient(
        transport=transport or AiohttpTransport(limits=config.limits),
        timeout=config.timeout,
        limits=config.limits,
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "solar-gateway/0.1"},
    )


REPLAY_EVERY_S = 0.5  # how often evictions deferred by a Redis outage are retried


def _evict_for_other_replicas(cache: UpstreamCache) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """What another replica's webhook (or write) made stale: evicted before its change is delivered here."""

    async def evict(message: dict[str, Any]) -> None:
        tags = message.get("tags")
        if isinstance(tags, list):
            await cache.evict(str(tag) for tag in tags)

    return evict


async def _replay_evictions(store: object) -> None:
    """Evictions a Redis outage deferred are applied as soon as Redis answers, for every replica's sake."""
    flush = getattr(store, "flush_evictions", None)
    while flush is not None:
        await asyncio.sleep(REPLAY_EVERY_S)
        if getattr(store, "pending_evictions", 0):
            with contextlib.suppress(Exception):  # still down: the store logged it; next round
                await flush()


@asynccontextmanager
async def open_services(
    settings: Settings, sandbox: SandboxState | None = None, *, operations: Mapping[str, str]
) -> AsyncIterator[Services]:
    """Open one HTTP client per upstream (or the in-process sandbox), the cache, pacer and bus.

    ``operations`` are the named documents the schema ships (the trusted ones in trusted-documents mode).
    """
    transport: httpx.AsyncBaseTransport | None = None
    opensolar_url, arcadia_url = settings.opensolar_base_url, settings.arcadia_base_url
    token = settings.opensolar_token.get_secret_value() if settings.opensolar_token else None
    org_id = settings.opensolar_org_id
    app_id = settings.arcadia_app_id
    app_key = settings.arcadia_app_key.get_secret_value() if settings.arcadia_app_key else None
    if settings.use_sandbox:
        sandbox = sandbox or SandboxState(SandboxConfig(latency_ms=settings.sandbox_latency_ms))
        transport = httpx.ASGITransport(app=create_sandbox_app(state=sandbox))
        opensolar_url = arcadia_url = SANDBOX_ORIGIN
        token = token or sandbox.data.orgs[RAW_DATA_ORG_ID].token
        org_id = org_id or RAW_DATA_ORG_ID
        app_id, app_key = app_id or sandbox.config.arcadia_app_id, app_key or sandbox.config.arcadia_app_key
        logger.warning(
            "SANDBOX MODE: no OpenSolar credentials configured (or GATEWAY_SANDBOX=true); serving the embedded "
            "simulated OpenSolar and Arcadia APIs with made-up data. Set OPENSOLAR_TOKEN to use the real APIs."
        )
    else:
        sandbox = None
    opensolar_config = settings.upstream("opensolar", opensolar_url)
    arcadia_config = settings.upstream("arcadia", arcadia_url)
    cache = None
    if settings.cache_enabled:
        store = open_store(settings.cache_url, settings.cache_max_bytes, settings.cache_max_entries)
        cache = UpstreamCache(store, stale_s=settings.cache_stale_s, decoded_max_bytes=settings.decoded_max_bytes)
    pacer = None
    if settings.throttle_enabled:
        pacer = Pacer(
            open_pacer_storage(settings.redis_url),
            safety=settings.throttle_safety,
            max_wait_s=settings.throttle_max_wait_s,
            limits=parse_quotas(settings.opensolar_quotas),
        )
    bus = open_bus(settings.event_bus_url, queue_size=settings.subscriber_queue)
    # Persisted queries live with the cache (shared through Redis); a small store when it is off.
    apq_store = cache.store if cache is not None else MemoryStore(APQ_STORE_BYTES)
    trusted = {sha256_hex(text): text for text in operations.values()} if settings.trusted_documents else None
    quota_storage = open_pacer_storage(settings.redis_url)  # shared by replicas with Redis
    documents = PersistedDocuments(
        apq_store,
        apq=settings.persisted_queries,
        trusted=trusted,
        per_credential=Quota(quota_storage, parse_rates(settings.apq_per_credential), name="apq"),
        total=Quota(quota_storage, parse_rates(settings.apq_total), name="apq-total"),
    )
    inbound_rates = parse_rates(settings.inbound_rate_limit)
    inbound = Quota(quota_storage, inbound_rates, name="inbound") if inbound_rates else None
    response_cache = None
    if cache is not None and settings.response_cache:
        # what may run differs in trusted-documents mode: never share responses across the modes
        response_cache = ResponseCache(cache.store, schema_version() + ("t" if trusted is not None else ""))
    async with AsyncExitStack() as stack:
        opensolar_http = await stack.enter_async_context(_client(opensolar_config, transport))
        arcadia_http = await stack.enter_async_context(_client(arcadia_config, transport))
        # Closed in reverse: the listener stops before the bus closes, the bus before the store.
        if cache is not None:
            stack.push_async_callback(cache.store.close)
        stack.push_async_callback(bus.close)
        stack.push_async_callback(_close_storage, quota_storage)
        if pacer is not None:
            stack.push_async_callback(pacer.close)
        if cache is not None:
            bus.on_remote(EVICT_CHANNEL, _evict_for_other_replicas(cache))
            stack.push_async_callback(_cancel, asyncio.create_task(_replay_evictions(cache.store)))
        bus.start()

        metrics = Metrics()

        def retry() -> RetryPolicy:
            return RetryPolicy(attempts=settings.retry_attempts, max_retry_after_s=settings.retry_max_after_s)

        services = Services(
            settings=settings,
            opensolar=OpenSolarClient(
                opensolar_config,
                opensolar_http,
                concurrency=settings.upstream_concurrency,
                cache=cache,
                pacer=pacer,
                retry=retry(),
                ttls=settings.cache_ttls,
            ),
            arcadia=ArcadiaClient(
                arcadia_config,
                arcadia_http,
                concurrency=settings.arcadia_concurrency,
                cache=cache,
                retry=retry(),
                adaptive=True,  # halves and pauses on a 429 (arcadia-api.md §7 best practices)
                app_id=app_id,
                app_key=app_key,
                ttls=settings.cache_ttls,
            ),
            designs=DesignCodec(settings.design_max_bytes),
            cache=cache,
            pacer=pacer,
            bus=bus,
            documents=documents,
            response_cache=response_cache,
            metrics=metrics,
            authenticator=Authenticator(
                api_key_hashes=settings.api_key_hashes,
                pass_through=settings.pass_through,
                server_token=token,
                sandbox=sandbox is not None,
                # the sandbox is open to anyone anyway; elsewhere OpenSolar vouches for each token once
                check=None if sandbox is not None else opensolar_token_check(opensolar_http, opensolar_config.base_url),
                verified_ttl_s=settings.token_verified_ttl_s,
                refused_ttl_s=settings.token_refused_ttl_s,
            ),
            inbound=inbound,
            default_token=token,
            default_org_id=org_id,
            sandbox=sandbox,
        )
        for client in (services.opensolar, services.arcadia):
            client.observer = metrics.upstream_call
        metrics.watch(services)
        yield services


def schema_version() -> str:
    """Part of every response-cache key: a deploy that changes the schema never serves old shapes."""
    return hashlib.sha256(SDL_PATH.read_bytes()).hexdigest()[:12]


async def _close_storage(storage: object) -> None:
    client = getattr(getattr(storage, "bridge", None), "storage", None)  # limits' redis-py client
    if client is not None:
        await client.aclose()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        async with asyncio.timeout(5):
            await task
