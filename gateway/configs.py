"""The frozen configs ``Settings`` hands out, one per concern: each piece receives only its own.

``gateway/settings.py`` reads the environment (the variable names are the README's); these are what
it builds from that reading, so a piece's constructor says which settings it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import SecretStr

from gateway.upstream.config import UpstreamConfig

if TYPE_CHECKING:
    from gateway.settings import Settings

__all__ = [
    "BusConfig",
    "CacheConfig",
    "EdgeConfig",
    "ObservabilityConfig",
    "PacingConfig",
    "QueryLimitsConfig",
    "UpstreamsConfig",
    "WebhooksConfig",
]


@dataclass(frozen=True, slots=True)
class UpstreamsConfig:
    """How to reach OpenSolar and Arcadia, with which credentials, how many calls at once and retries."""

    opensolar: UpstreamConfig
    arcadia: UpstreamConfig
    opensolar_token: SecretStr | None
    opensolar_org_id: int | None
    arcadia_app_id: str | None
    arcadia_app_key: SecretStr | None
    opensolar_concurrency: int
    arcadia_concurrency: int
    retry_attempts: int
    retry_max_after_s: float
    request_deadline_s: float
    design_max_bytes: int
    sandbox: bool
    sandbox_latency_ms: float

    @classmethod
    def of(cls, settings: Settings) -> UpstreamsConfig:
        return cls(
            opensolar=settings.upstream("opensolar", settings.opensolar_base_url),
            arcadia=settings.upstream("arcadia", settings.arcadia_base_url),
            opensolar_token=settings.opensolar_token,
            opensolar_org_id=settings.opensolar_org_id,
            arcadia_app_id=settings.arcadia_app_id,
            arcadia_app_key=settings.arcadia_app_key,
            opensolar_concurrency=settings.upstream_concurrency,
            arcadia_concurrency=settings.arcadia_concurrency,
            retry_attempts=settings.retry_attempts,
            retry_max_after_s=settings.retry_max_after_s,
            request_deadline_s=settings.request_deadline_s,
            design_max_bytes=settings.design_max_bytes,
            sandbox=settings.use_sandbox,
            sandbox_latency_ms=settings.sandbox_latency_ms,
        )


@dataclass(frozen=True, slots=True)
class PacingConfig:
    """Staying under OpenSolar's published quotas (``gateway/upstream/pacing.py``)."""

    enabled: bool
    safety: float
    max_wait_s: float
    quotas: str  # GATEWAY_OPENSOLAR_QUOTAS, parsed by gateway/upstream/quotas.py
    redis_url: str | None  # shared budgets across replicas

    @classmethod
    def of(cls, settings: Settings) -> PacingConfig:
        return cls(
            settings.throttle_enabled,
            settings.throttle_safety,
            settings.throttle_max_wait_s,
            settings.opensolar_quotas,
            settings.redis_url,
        )


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """The upstream cache, the stored-response cache and the decoded reuse under them."""

    enabled: bool
    url: str
    redis_url: str | None
    max_bytes: int
    max_entries: int
    decoded_max_bytes: int
    ttls: dict[str, float]
    stale_s: float
    responses: bool

    @classmethod
    def of(cls, settings: Settings) -> CacheConfig:
        return cls(
            enabled=settings.cache_enabled,
            url=settings.cache_url,
            redis_url=settings.redis_url,
            max_bytes=settings.cache_max_bytes,
            max_entries=settings.cache_max_entries,
            decoded_max_bytes=settings.decoded_max_bytes,
            ttls=settings.cache_ttls,
            stale_s=settings.cache_stale_s,
            responses=settings.response_cache,
        )


@dataclass(frozen=True, slots=True)
class BusConfig:
    """Evictions and changes between replicas (``gateway/bus.py``)."""

    url: str | None
    subscriber_queue: int

    @classmethod
    def of(cls, settings: Settings) -> BusConfig:
        return cls(settings.event_bus_url, settings.subscriber_queue)


@dataclass(frozen=True, slots=True)
class EdgeConfig:
    """The HTTP edge: sizes, credentials, inbound rate, persisted documents, browsers."""

    max_body_bytes: int
    max_upload_bytes: int
    max_header_bytes: int
    inbound_rate_limit: str
    api_key_hashes: frozenset[str]
    pass_through: bool
    token_verified_ttl_s: float
    token_refused_ttl_s: float
    persisted_queries: bool
    trusted_documents: bool
    apq_per_credential: str
    apq_total: str
    redis_url: str | None  # inbound and APQ quotas, shared by replicas through it
    cors_origins: str | None
    graphiql: bool

    @classmethod
    def of(cls, settings: Settings) -> EdgeConfig:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_upload_bytes=settings.max_upload_bytes,
            max_header_bytes=settings.max_header_bytes,
            inbound_rate_limit=settings.inbound_rate_limit,
            api_key_hashes=settings.api_key_hashes,
            pass_through=settings.pass_through,
            token_verified_ttl_s=settings.token_verified_ttl_s,
            token_refused_ttl_s=settings.token_refused_ttl_s,
            persisted_queries=settings.persisted_queries,
            trusted_documents=settings.trusted_documents,
            apq_per_credential=settings.apq_per_credential,
            apq_total=settings.apq_total,
            redis_url=settings.redis_url,
            cors_origins=settings.cors_origins,
            graphiql=settings.graphiql_enabled,
        )


@dataclass(frozen=True, slots=True)
class QueryLimitsConfig:
    """Limits on GraphQL documents (tokens, depth, aliases, root fields, cost) and introspection."""

    max_tokens: int
    max_depth: int
    max_aliases: int
    max_root_fields: int
    max_cost: int
    introspection: bool

    @classmethod
    def of(cls, settings: Settings) -> QueryLimitsConfig:
        return cls(
            settings.max_tokens,
            settings.max_depth,
            settings.max_aliases,
            settings.max_root_fields,
            settings.max_cost,
            settings.introspection_enabled,
        )


@dataclass(frozen=True, slots=True)
class WebhooksConfig:
    """This gateway's own webhook receiver: the secret it checks and the public origin it registers."""

    secret: SecretStr | None
    public_url: str | None

    @classmethod
    def of(cls, settings: Settings) -> WebhooksConfig:
        return cls(settings.webhook_secret, settings.public_url)


@dataclass(frozen=True, slots=True)
class ObservabilityConfig:
    """Logging, tracing and the process's garbage-collector tuning."""

    log_level: str
    log_format: str | None
    otel: str | None
    gc_tuning: bool

    @classmethod
    def of(cls, settings: Settings) -> ObservabilityConfig:
        return cls(settings.log_level, settings.log_format, settings.otel, settings.gc_tuning)
