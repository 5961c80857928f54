"""What an upstream client is configured with: how to reach it, and how long each kind of read is cached.

``gateway/settings.py`` reads these from the environment; the clients receive them, never the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

__all__ = ["DEFAULT_CACHE_TTLS_S", "UpstreamConfig"]

# How long each kind of upstream read may be served from cache (override with GATEWAY_CACHE_TTLS).
# Private-file URLs are signed for one hour upstream: their TTL plus the stale window stays far below.
DEFAULT_CACHE_TTLS_S: dict[str, float] = {
    "org": 3600,
    "projects": 60,
    "project": 300,
    "contacts": 60,
    "contact": 300,
    "systems": 300,
    "system": 300,
    "system_details": 600,
    "proposal": 600,
    "files": 300,
    "file": 300,
    "webhooks": 30,
    "roles": 300,
    "workflows": 300,
    "incentives": 3600,
    "incentive": 3600,
    "applicabilities": 86400,
}


@dataclass(frozen=True, slots=True)
class UpstreamConfig:
    """How to reach one upstream: an origin (the client appends the documented paths) and limits."""

    name: str
    base_url: str
    timeout: httpx.Timeout
    limits: httpx.Limits
    max_response_bytes: int
    deadline_s: float
