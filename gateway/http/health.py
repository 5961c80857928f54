"""Readiness: can this replica serve? The cache store and both upstreams must answer.

Any HTTP answer from an upstream origin counts as reachable (the check sends no credential and
spends no throttle quota); results are kept for a few seconds so probes never hammer anything.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from gateway.cache import UpstreamCache
    from gateway.runtime import UpstreamClients

__all__ = ["readiness"]

CHECK_TIMEOUT_S = 2.0
CACHE_FOR_S = 5.0
_last: dict[int, tuple[float, dict[str, bool]]] = {}


async def _reachable(client: httpx.AsyncClient, url: str) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await client.get(url)
        return True
    except (httpx.HTTPError, TimeoutError, OSError):
        return False


async def _store_ok(cache: UpstreamCache | None) -> bool:
    if cache is None:
        return True
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            return await cache.store.ping()
    except Exception:
        return False


async def readiness(upstreams: UpstreamClients, cache: UpstreamCache | None) -> dict[str, bool]:
    cached = _last.get(id(upstreams))
    if cached and time.monotonic() - cached[0] < CACHE_FOR_S:
        return cached[1]
    opensolar, arcadia, store = await asyncio.gather(
        _reachable(upstreams.opensolar.http, upstreams.opensolar.config.base_url + "/"),
        _reachable(upstreams.arcadia.http, upstreams.arcadia.config.base_url + "/rest/echo/hello"),
        _store_ok(cache),
    )
    checks = {"opensolar": opensolar, "arcadia": arcadia, "cache": store}
    _last[id(upstreams)] = (time.monotonic(), checks)
    return checks
