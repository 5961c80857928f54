"""Configuration, read once from the environment into one frozen object.

pydantic-settings does the reading, casting and validation; everything downstream receives the
``Settings`` instance (or one of its frozen sub-configs) explicitly, never the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DEFAULT_ARCADIA_BASE_URL",
    "DEFAULT_OPENSOLAR_BASE_URL",
    "SandboxMode",
    "Settings",
    "UpstreamConfig",
]

DEFAULT_OPENSOLAR_BASE_URL = "https://api.opensolar.com"
DEFAULT_ARCADIA_BASE_URL = "https://api.genability.com"
# OpenSolar documents system details as "known to timeout" on big projects; the MCP client that
# checked it live uses 120 s for that route. Everything else gets a tighter read timeout.
DEFAULT_READ_TIMEOUT_S = 30.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
# Real designs are ~167 KB compressed for a small house; 64 MiB decompressed leaves huge headroom
# while bounding a gzip bomb.
DEFAULT_DESIGN_MAX_BYTES = 64 * 1024 * 1024
# A response body larger than this is refused while it streams in (designs are the largest bodies).
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class SandboxMode(StrEnum):
    AUTO = "auto"  # embedded sandbox when no OpenSolar token is configured
    ON = "true"
    OFF = "false"


@dataclass(frozen=True, slots=True)
class UpstreamConfig:
    """How to reach one upstream: an origin (the client appends the documented paths) and limits."""

    name: str
    base_url: str
    timeout: httpx.Timeout
    limits: httpx.Limits
    max_response_bytes: int
    deadline_s: float


class Settings(BaseSettings):
    """Every setting of the gateway, from environment variables (names as in the README)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_file=None)

    opensolar_base_url: str = Field(DEFAULT_OPENSOLAR_BASE_URL, alias="OPENSOLAR_BASE_URL")
    opensolar_token: SecretStr | None = Field(None, alias="OPENSOLAR_TOKEN")
    opensolar_org_id: int | None = Field(None, alias="OPENSOLAR_ORG_ID")
    arcadia_base_url: str = Field(DEFAULT_ARCADIA_BASE_URL, alias="ARCADIA_BASE_URL")
    arcadia_app_id: str | None = Field(None, alias="ARCADIA_APP_ID")
    arcadia_app_key: SecretStr | None = Field(None, alias="ARCADIA_APP_KEY")

    host: str = Field("127.0.0.1", alias="GATEWAY_HOST")
    port: int = Field(8000, alias="GATEWAY_PORT", ge=1, le=65535)
    sandbox: SandboxMode = Field(SandboxMode.AUTO, alias="GATEWAY_SANDBOX")
    sandbox_latency_ms: float = Field(0.0, alias="GATEWAY_SANDBOX_LATENCY_MS", ge=0)
    graphiql: bool | None = Field(None, alias="GATEWAY_GRAPHIQL")
    log_level: str = Field("INFO", alias="GATEWAY_LOG_LEVEL")

    connect_timeout_s: float = Field(DEFAULT_CONNECT_TIMEOUT_S, alias="GATEWAY_UPSTREAM_CONNECT_TIMEOUT_S", gt=0)
    read_timeout_s: float = Field(DEFAULT_READ_TIMEOUT_S, alias="GATEWAY_UPSTREAM_READ_TIMEOUT_S", gt=0)
    # One upstream call, body included, never takes longer than this (httpx's read timeout is per
    # chunk, so a trickling body would otherwise never time out).
    upstream_deadline_s: float = Field(60.0, alias="GATEWAY_UPSTREAM_DEADLINE_S", gt=0)
    upstream_max_connections: int = Field(50, alias="GATEWAY_UPSTREAM_MAX_CONNECTIONS", ge=1)
    upstream_concurrency: int = Field(16, alias="GATEWAY_UPSTREAM_CONCURRENCY", ge=1)
    # Arcadia's rate-limit best practices use a concurrency limit of 4 (arcadia-api.md §7).
    arcadia_concurrency: int = Field(4, alias="GATEWAY_ARCADIA_CONCURRENCY", ge=1)
    max_response_bytes: int = Field(DEFAULT_MAX_RESPONSE_BYTES, alias="GATEWAY_MAX_RESPONSE_BYTES", ge=1024)
    design_max_bytes: int = Field(DEFAULT_DESIGN_MAX_BYTES, alias="GATEWAY_DESIGN_MAX_BYTES", ge=1024)

    @property
    def use_sandbox(self) -> bool:
        if self.sandbox is SandboxMode.AUTO:
            return self.opensolar_token is None
        return self.sandbox is SandboxMode.ON

    @property
    def graphiql_enabled(self) -> bool:
        return self.use_sandbox if self.graphiql is None else self.graphiql

    def upstream(self, name: str, base_url: str) -> UpstreamConfig:
        return UpstreamConfig(
            name=name,
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(self.read_timeout_s, connect=self.connect_timeout_s),
            limits=httpx.Limits(
                max_connections=self.upstream_max_connections,
                max_keepalive_connections=self.upstream_max_connections,
                keepalive_expiry=30.0,
            ),
            max_response_bytes=self.max_response_bytes,
            deadline_s=self.upstream_deadline_s,
        )
