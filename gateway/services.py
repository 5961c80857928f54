"""The long-lived pieces one app instance shares across requests, built in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from gateway.sandbox import RAW_DATA_ORG_ID, SandboxConfig, SandboxState, create_sandbox_app
from gateway.settings import Settings, UpstreamConfig
from gateway.upstreams.arcadia import ArcadiaClient
from gateway.upstreams.opensolar import OpenSolarClient
from schema.design import DesignCodec

__all__ = ["SANDBOX_ORIGIN", "Services", "open_services"]

logger = logging.getLogger("gateway")
SANDBOX_ORIGIN = "http://sandbox.invalid"  # never resolved: the transport is the in-process sandbox


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    opensolar: OpenSolarClient
    arcadia: ArcadiaClient
    designs: DesignCodec
    default_token: str | None
    default_org_id: int | None
    sandbox: SandboxState | None


def _client(config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=transport,
        timeout=config.timeout,
        limits=config.limits,
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "solar-gateway/0.1"},
    )


@asynccontextmanager
async def open_services(settings: Settings, sandbox: SandboxState | None = None) -> AsyncIterator[Services]:
    """Open one HTTP client per upstream (or the in-process sandbox) for the app's lifetime."""
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
    async with AsyncExitStack() as stack:
        opensolar_http = await stack.enter_async_context(_client(opensolar_config, transport))
        arcadia_http = await stack.enter_async_context(_client(arcadia_config, transport))
        yield Services(
            settings=settings,
            opensolar=OpenSolarClient(opensolar_config, opensolar_http, concurrency=settings.upstream_concurrency),
            arcadia=ArcadiaClient(
                arcadia_config, arcadia_http, concurrency=settings.arcadia_concurrency, app_id=app_id, app_key=app_key
            ),
            designs=DesignCodec(settings.design_max_bytes),
            default_token=token,
            default_org_id=org_id,
            sandbox=sandbox,
        )
