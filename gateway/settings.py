"""Configuration, read once from the environment into one frozen object.

pydantic-settings does the reading, casting and validation; everything downstream receives one of
its frozen sub-configs (``settings.upstreams``, ``.pacing``, ``.caches``, ``.bus``, ``.edge``,
``.query_limits``, ``.webhooks``, ``.observability``: ``gateway/configs.py``) explicitly, never the
environment. The fields keep the environment's names (the README's table); the sub-configs group them.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property

import httpx
from limits import RateLimitItem, parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.configs import (
    BusConfig,
    CacheConfig,
    EdgeConfig,
    ObservabilityConfig,
    PacingConfig,
    QueryLimitsConfig,
    UpstreamsConfig,
    WebhooksConfig,
)
from gateway.redis_url import redis_url
from gateway.upstream.config import DEFAULT_CACHE_TTLS_S, UpstreamConfig
from gateway.upstream.quotas import parse_quotas

__all__ = [
    "DEFAULT_ARCADIA_BASE_URL",
    "DEFAULT_CACHE_TTLS_S",
    "DEFAULT_OPENSOLAR_BASE_URL",
    "WEBHOOK_SECRET_HEADER",
    "SandboxMode",
    "Settings",
    "UpstreamConfig",
    "parse_rates",
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


# Per principal: a person's frontend makes a few requests a second; a partner's backend (one API
# key) more. OpenSolar's own per-token limits are per minute (opensolar-api.md §2).
DEFAULT_RATE_LIMIT = "50/second;1000/minute"

# OpenSolar echoes a webhook's registered headers; the gateway's receiver checks this one.
WEBHOOK_SECRET_HEADER = "X-Solar-Gateway-Secret"  # noqa: S105 - a header name, not a secret


def parse_rates(text: str) -> list[RateLimitItem]:
    """``"50/second;1000/minute"`` (the ``limits`` notation); ``""`` or ``"off"``: no limit."""
    text = text.strip()
    return [] if text.lower() in {"", "off", "none"} else parse_many(text)


_LIMITS = QueryLimitsConfig()  # the document limits' defaults (one copy, with their reasons)


class SandboxMode(StrEnum):
    AUTO = "auto"  # embedded sandbox when no OpenSolar token is configured
    ON = "true"
    OFF = "false"


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
    # "json" or "text" configures logging in each server process; unset leaves logging alone (tests)
    log_format: str | None = Field(None, alias="GATEWAY_LOG_FORMAT", pattern="^(json|text)$")
    # "process": access lines are rendered and written by a log writer process per server process (the loop
    # only hands over their fields, in batches); "thread": by a listener thread in the server process
    log_writer: str = Field("process", alias="GATEWAY_LOG_WRITER", pattern="^(process|thread)$")
    # "console" or "otlp" (OTEL_EXPORTER_OTLP_* variables apply) turns tracing on
    otel: str | None = Field(None, alias="GATEWAY_OTEL", pattern="^(console|otlp)$")

    connect_timeout_s: float = Field(DEFAULT_CONNECT_TIMEOUT_S, alias="GATEWAY_UPSTREAM_CONNECT_TIMEOUT_S", gt=0)
    read_timeout_s: float = Field(DEFAULT_READ_TIMEOUT_S, alias="GATEWAY_UPSTREAM_READ_TIMEOUT_S", gt=0)
    # One upstream call, body included, never takes longer than this (httpx's read timeout is per
    # chunk, so a trickling body would otherwise never time out).
    upstream_deadline_s: float = Field(60.0, alias="GATEWAY_UPSTREAM_DEADLINE_S", gt=0)
    upstream_max_connections: int = Field(64, alias="GATEWAY_UPSTREAM_MAX_CONNECTIONS", ge=1)
    # In-flight OpenSolar calls; the pacer, not this, keeps each credential under its documented limits.
    upstream_concurrency: int = Field(64, alias="GATEWAY_UPSTREAM_CONCURRENCY", ge=1)
    # Arcadia's rate-limit best practices use a concurrency limit of 4 (arcadia-api.md §7).
    arcadia_concurrency: int = Field(4, alias="GATEWAY_ARCADIA_CONCURRENCY", ge=1)
    max_response_bytes: int = Field(DEFAULT_MAX_RESPONSE_BYTES, alias="GATEWAY_MAX_RESPONSE_BYTES", ge=1024)
    design_max_bytes: int = Field(DEFAULT_DESIGN_MAX_BYTES, alias="GATEWAY_DESIGN_MAX_BYTES", ge=1024)

    # freeze start-up objects and collect young garbage less often (gateway/gc_tuning.py)
    gc_tuning: bool = Field(True, alias="GATEWAY_GC_TUNING")
    cache_enabled: bool = Field(True, alias="GATEWAY_CACHE")
    # whole query responses, served as stored bytes (needs the upstream cache for TTLs and tags)
    response_cache: bool = Field(True, alias="GATEWAY_RESPONSE_CACHE")
    cache_url: str = Field("memory://", alias="GATEWAY_CACHE_URL")
    cache_max_bytes: int = Field(256 * 1024 * 1024, alias="GATEWAY_CACHE_MAX_BYTES", ge=1024)
    cache_max_entries: int = Field(100_000, alias="GATEWAY_CACHE_MAX_ENTRIES", ge=1)
    # stored bytes whose decoded records are kept for reuse (they take ~5x as much memory); 0: off
    decoded_max_bytes: int = Field(16 * 1024 * 1024, alias="GATEWAY_DECODED_CACHE_MAX_BYTES", ge=0)
    cache_ttls_override: dict[str, float] = Field(default_factory=dict, alias="GATEWAY_CACHE_TTLS")
    # Past its TTL an entry is still served, flagged stale, while the upstream is throttled or down.
    cache_stale_s: float = Field(900.0, alias="GATEWAY_CACHE_STALE_S", ge=0)
    throttle_enabled: bool = Field(True, alias="GATEWAY_THROTTLE")
    # Budget = documented limit x safety, so clock skew and other clients of the same token still fit.
    throttle_safety: float = Field(0.9, alias="GATEWAY_THROTTLE_SAFETY", gt=0, le=1)
    throttle_max_wait_s: float = Field(10.0, alias="GATEWAY_THROTTLE_MAX_WAIT_S", ge=0)
    # Per-deployment OpenSolar quotas for plans that differ from the published table, e.g.
    # "project_detail=30/minute,proposal.org=5000/day" (gateway/upstream/quotas.py parse_quotas).
    opensolar_quotas: str = Field("", alias="GATEWAY_OPENSOLAR_QUOTAS")
    # Every upstream wait of one GraphQL request ends by then: missing paths get UPSTREAM_TIMEOUT.
    request_deadline_s: float = Field(10.0, alias="GATEWAY_REQUEST_DEADLINE_S", gt=0)
    retry_attempts: int = Field(3, alias="GATEWAY_RETRY_ATTEMPTS", ge=1, le=10)
    retry_max_after_s: float = Field(5.0, alias="GATEWAY_RETRY_MAX_AFTER_S", ge=0)
    # Apollo Router's http_max_request_bytes; variables count, unlike token and character limits.
    max_body_bytes: int = Field(2_000_000, alias="GATEWAY_MAX_BODY_BYTES", ge=1024)
    # uploads (GraphQL multipart requests) only; OpenSolar documents no file size limit
    max_upload_bytes: int = Field(25 * 1024 * 1024, alias="GATEWAY_MAX_UPLOAD_BYTES", ge=1024)
    # Document limits: the defaults and their reasons are QueryLimitsConfig's (gateway/configs.py).
    max_tokens: int = Field(_LIMITS.max_tokens, alias="GATEWAY_MAX_TOKENS", ge=10)
    # nginx and Node cap a header at 8 KB; an OpenSolar token is ~40 bytes
    max_header_bytes: int = Field(8 * 1024, alias="GATEWAY_MAX_HEADER_BYTES", ge=256)
    # requests per principal (credential fingerprint), in `limits` notation; "off" turns it off.
    # Unset: DEFAULT_RATE_LIMIT, or off in the sandbox (open to anyone on the machine anyway).
    rate_limit: str | None = Field(None, alias="GATEWAY_RATE_LIMIT")
    # pass-through tokens: how long OpenSolar's yes (and no) to a token is remembered
    token_verified_ttl_s: float = Field(300.0, alias="GATEWAY_TOKEN_VERIFIED_TTL_S", ge=0)
    token_refused_ttl_s: float = Field(600.0, alias="GATEWAY_TOKEN_REFUSED_TTL_S", ge=0)
    # persisted-query registrations per credential and in total (each document is at most 16 KiB, kept 1 day)
    apq_per_credential: str = Field("100/day", alias="GATEWAY_APQ_PER_CREDENTIAL")
    apq_total: str = Field("10000/day", alias="GATEWAY_APQ_TOTAL")
    max_depth: int = Field(_LIMITS.max_depth, alias="GATEWAY_MAX_DEPTH", ge=2)
    max_aliases: int = Field(_LIMITS.max_aliases, alias="GATEWAY_MAX_ALIASES", ge=0)
    max_root_fields: int = Field(_LIMITS.max_root_fields, alias="GATEWAY_MAX_ROOT_FIELDS", ge=1)
    max_cost: int = Field(_LIMITS.max_cost, alias="GATEWAY_MAX_COST", ge=1)
    # unset: on in the sandbox, off otherwise (OWASP, Apollo Router's default)
    introspection: bool | None = Field(None, alias="GATEWAY_INTROSPECTION")
    # sha256 hex digests of the gateway API keys (X-API-Key) that may use OPENSOLAR_TOKEN
    api_keys: str = Field("", alias="GATEWAY_API_KEYS")
    pass_through: bool = Field(True, alias="GATEWAY_PASS_THROUGH")
    persisted_queries: bool = Field(True, alias="GATEWAY_PERSISTED_QUERIES")
    trusted_documents: bool = Field(False, alias="GATEWAY_TRUSTED_DOCUMENTS")
    webhook_secret: SecretStr | None = Field(None, alias="GATEWAY_WEBHOOK_SECRET")
    public_url: str | None = Field(None, alias="GATEWAY_PUBLIC_URL")
    # other origins whose pages may call /graphql (gateway/http/cors.py); unset: loopback in the sandbox, else none
    cors_origins: str | None = Field(None, alias="GATEWAY_CORS_ORIGINS")
    # Evictions and subscription changes reach other replicas over this Redis (a stream); unset: the
    # cache's Redis when GATEWAY_CACHE_URL is one, else this process only.
    bus_url: str | None = Field(None, alias="GATEWAY_BUS_URL", pattern="^rediss?://")
    # Changes one subscription may have waiting; past it the subscription ends with SLOW_SUBSCRIBER.
    subscriber_queue: int = Field(256, alias="GATEWAY_SUBSCRIBER_QUEUE", ge=1, le=100_000)

    @field_validator("opensolar_quotas")
    @classmethod
    def _quotas_parse(cls, value: str) -> str:
        parse_quotas(value)  # fail at start-up, not at the first OpenSolar call
        return value

    @field_validator("rate_limit", "apq_per_credential", "apq_total")
    @classmethod
    def _rates(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rates(value)  # raises ValueError on a malformed rate
        return value

    @property
    def inbound_rate_limit(self) -> str:
        if self.rate_limit is not None:
            return self.rate_limit
        return "off" if self.use_sandbox else DEFAULT_RATE_LIMIT

    @property
    def introspection_enabled(self) -> bool:
        return self.use_sandbox if self.introspection is None else self.introspection

    @property
    def api_key_hashes(self) -> frozenset[str]:
        return frozenset(h.strip().lower().removeprefix("sha256:") for h in self.api_keys.split(",") if h.strip())

    @property
    def cache_ttls(self) -> dict[str, float]:
        return {**DEFAULT_CACHE_TTLS_S, **self.cache_ttls_override}

    @property
    def redis_url(self) -> str | None:
        return redis_url(self.cache_url)

    @property
    def event_bus_url(self) -> str | None:
        return self.bus_url or self.redis_url

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

    @property
    def opensolar_upstream(self) -> UpstreamConfig:
        return self.upstream("opensolar", self.opensolar_base_url)

    @property
    def arcadia_upstream(self) -> UpstreamConfig:
        return self.upstream("arcadia", self.arcadia_base_url)

    # The frozen sub-configs, one per concern (gateway/configs.py): each piece receives only its own.

    @cached_property
    def upstreams(self) -> UpstreamsConfig:
        return UpstreamsConfig.of(self)

    @cached_property
    def pacing(self) -> PacingConfig:
        return PacingConfig.of(self)

    @cached_property
    def caches(self) -> CacheConfig:
        return CacheConfig.of(self)

    @cached_property
    def bus(self) -> BusConfig:
        return BusConfig.of(self)

    @cached_property
    def edge(self) -> EdgeConfig:
        return EdgeConfig.of(self)

    @cached_property
    def query_limits(self) -> QueryLimitsConfig:
        return QueryLimitsConfig.of(self)

    @cached_property
    def webhooks(self) -> WebhooksConfig:
        return WebhooksConfig.of(self)

    @cached_property
    def observability(self) -> ObservabilityConfig:
        return ObservabilityConfig.of(self)
