"""The upstream clients one app shares: OpenSolar and Arcadia over HTTP (or the embedded sandbox)."""

from __future__ import annotations

import dataclasses
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx

from gateway.cache import UpstreamCache
from gateway.configs import PacingConfig, UpstreamsConfig
from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState, create_sandbox_app
from gateway.upstream.arcadia.client import ArcadiaClient
from gateway.upstream.config import UpstreamConfig
from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.opensolar.design_codec import DesignCodec
from gateway.upstream.pacing import Pacer, open_pacer_storage
from gateway.upstream.quotas import parse_quotas
from gateway.upstream.retry import RetryPolicy
from gateway.upstream.wire import CookielessClient, UpstreamTransport

__all__ = ["SANDBOX_ORIGIN", "UpstreamClients", "open_pacer", "open_upstreams"]

logger = logging.getLogger("gateway")
SANDBOX_ORIGIN = "http://sandbox.invalid"  # never resolved: the transport is the in-process sandbox


@dataclass(frozen=True, slots=True)
class UpstreamClients:
    """The clients resolvers call, the design codec, and whose credentials serve a caller without one."""

    opensolar: OpenSolarClient
    arcadia: ArcadiaClient
    designs: DesignCodec
    pacer: Pacer | None
    default_token: str | None
    default_org_id: int | None
    sandbox: SandboxState | None


@dataclass(frozen=True, slots=True)
class _Reach:
    """Where the clients go and as whom: the configured upstreams, or the embedded sandbox."""

    config: UpstreamsConfig
    transport: httpx.AsyncBaseTransport | None
    token: str | None
    org_id: int | None
    app_id: str | None
    app_key: str | None
    sandbox: SandboxState | None


def _reach(config: UpstreamsConfig, sandbox: SandboxState | None) -> _Reach:
    token = config.opensolar_token.get_secret_value() if config.opensolar_token else None
    app_key = config.arcadia_app_key.get_secret_value() if config.arcadia_app_key else None
    if not config.sandbox:
        return _Reach(config, None, token, config.opensolar_org_id, config.arcadia_app_id, app_key, None)
    sandbox = sandbox or SandboxState(SandboxConfig(latency_ms=config.sandbox_latency_ms))
    logger.warning(
        "SANDBOX MODE: no OpenSolar credentials configured (or GATEWAY_SANDBOX=true); serving the embedded "
        "simulated OpenSolar and Arcadia APIs with made-up data. Set OPENSOLAR_TOKEN to use the real APIs."
    )
    in_sandbox = dataclasses.replace(
        config,
        opensolar=dataclasses.replace(config.opensolar, base_url=SANDBOX_ORIGIN),
        arcadia=dataclasses.replace(config.arcadia, base_url=SANDBOX_ORIGIN),
    )
    return _Reach(
        in_sandbox,
        httpx.ASGITransport(app=create_sandbox_app(state=sandbox)),
        token or sandbox.data.orgs[RAW_DATA_ORG_ID].token,
        config.opensolar_org_id or RAW_DATA_ORG_ID,
        config.arcadia_app_id or sandbox.config.arcadia_app_id,
        app_key or sandbox.config.arcadia_app_key,
        sandbox,
    )


def _http_client(config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    # httpx's own connection pool slows down sharply past a few dozen concurrent requests
    # (encode/httpx#3215); aiohttp does the socket I/O behind the same httpx API. No cookie jar:
    # calls carry each caller's credential, and one jar would be shared by all of them (wire.py), in
    # httpx's client and in aiohttp's session alike.
    return CookielessClient(
        transport=transport or UpstreamTransport(limits=config.limits),
        timeout=config.timeout,
        limits=config.limits,
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "solar-gateway/0.1"},
    )


def open_pacer(config: PacingConfig, stack: AsyncExitStack) -> Pacer | None:
    """The OpenSolar budgets (shared by replicas through Redis), closed with the stack."""
    if not config.enabled:
        return None
    pacer = Pacer(
        open_pacer_storage(config.redis_url),
        safety=config.safety,
        max_wait_s=config.max_wait_s,
        limits=parse_quotas(config.quotas),
    )
    stack.push_async_callback(pacer.close)
    return pacer


async def open_upstreams(
    config: UpstreamsConfig,
    stack: AsyncExitStack,
    *,
    cache: UpstreamCache | None,
    pacer: Pacer | None,
    ttls: dict[str, float],
    sandbox: SandboxState | None = None,
) -> UpstreamClients:
    """One HTTP client per upstream (or the in-process sandbox), closed with the stack."""
    reach = _reach(config, sandbox)
    opensolar_http = await stack.enter_async_context(_http_client(reach.config.opensolar, reach.transport))
    arcadia_http = await stack.enter_async_context(_http_client(reach.config.arcadia, reach.transport))

    def retry() -> RetryPolicy:
        return RetryPolicy(attempts=config.retry_attempts, max_retry_after_s=config.retry_max_after_s)

    opensolar = OpenSolarClient(
        reach.config.opensolar,
        opensolar_http,
        concurrency=config.opensolar_concurrency,
        cache=cache,
        pacer=pacer,
        retry=retry(),
        ttls=ttls,
    )
    arcadia = ArcadiaClient(
        reach.config.arcadia,
        arcadia_http,
        concurrency=config.arcadia_concurrency,
        cache=cache,
        retry=retry(),
        adaptive=True,  # halves and pauses on a 429 (arcadia-api.md §7 best practices)
        app_id=reach.app_id,
        app_key=reach.app_key,
        ttls=ttls,
    )
    designs = DesignCodec(config.design_max_bytes)
    return UpstreamClients(opensolar, arcadia, designs, pacer, reach.token, reach.org_id, reach.sandbox)
