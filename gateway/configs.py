"""The frozen configs ``Settings`` hands out, one per concern: each piece receives only its own.

``gateway/settings.py`` reads the environment (the variable names are the README's); these are what
it builds from that reading, so a piece's constructor says which settings it depends on.
"""

# Deliberate repetition (`duplicates` lists it): each config is a frozen dataclass of its own fields and
# `renamed` map, all of one shape; building them is the one `FromSettings.of`.

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import SecretStr

from gateway.upstream.config import UpstreamConfig

if TYPE_CHECKING:
    from gateway.settings import Settings

__all__ = [
    "BusConfig",
    "CacheConfig",
    "EdgeConfig",
    "FromSettings",
    "ObservabilityConfig",
    "PacingConfig",
    "QueryLimitsConfig",
    "UpstreamsConfig",
    "WebhooksConfig",
]


class FromSettings:
    """Builds a frozen config from ``Settings``: each field reads the setting of the same name.

    ``renamed`` maps a field to the setting it reads where the two names differ (the settings keep the
    environment's names; a config names what its piece means).
    """

    __slots__ = ()
    renamed: ClassVar[dict[str, str]] = {}

    @classmethod
    def of(cls, settings: Settings) -> Self:
        values: dict[str, Any] = {f.name: getattr(settings, cls.renamed.get(f.name, f.name)) for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**values)


@dataclass(frozen=True, slots=True)
class UpstreamsConfig(FromSettings):
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

    renamed: ClassVar[dict[str, str]] = {
        "opensolar": "opensolar_upstream",
        "arcadia": "arcadia_upstream",
        "opensolar_concurrency": "upstream_concurrency",
        "sandbox": "use_sandbox",
    }


@dataclass(frozen=True, slots=True)
class PacingConfig(FromSettings):
    """Staying under OpenSolar's published quotas (``gateway/upstream/pacing.py``)."""

    enabled: bool
    safety: float
    max_wait_s: float
    quotas: str  # GATEWAY_OPENSOLAR_QUOTAS, parsed by gateway/upstream/quotas.py
    redis_url: str | None  # shared budgets across replicas

    renamed: ClassVar[dict[str, str]] = {
        "enabled": "throttle_enabled",
        "safety": "throttle_safety",
        "max_wait_s": "throttle_max_wait_s",
        "quotas": "opensolar_quotas",
    }


@dataclass(frozen=True, slots=True)
class CacheConfig(FromSettings):
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

    renamed: ClassVar[dict[str, str]] = {
        "enabled": "cache_enabled",
        "url": "cache_url",
        "max_bytes": "cache_max_bytes",
        "max_entries": "cache_max_entries",
        "ttls": "cache_ttls",
        "stale_s": "cache_stale_s",
        "responses": "response_cache",
    }


@dataclass(frozen=True, slots=True)
class BusConfig(FromSettings):
    """Evictions and changes between replicas (``gateway/bus.py``)."""

    url: str | None
    subscriber_queue: int

    renamed: ClassVar[dict[str, str]] = {"url": "event_bus_url"}


@dataclass(frozen=True, slots=True)
class EdgeConfig(FromSettings):
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

    renamed: ClassVar[dict[str, str]] = {"graphiql": "graphiql_enabled"}


@dataclass(frozen=True, slots=True)
class QueryLimitsConfig(FromSettings):
    """Limits on GraphQL documents (tokens, depth, aliases, root fields, cost) and introspection.

    The one copy of each default: ``Settings`` (``GATEWAY_MAX_*``) takes its defaults from here, and
    ``schema/query_limits.py`` enforces an instance of this class (``QueryLimitsConfig()`` = the defaults).
    """

    # Tokens: graphql-armor 1000, Apollo Router 15,000; our largest operation is ~150.
    max_tokens: int = 2000
    # Depth: Strawberry's docs 10, armor 6; the stitched incentives nest to depth 9.
    max_depth: int = 12
    max_aliases: int = 30  # Apollo Router's example 30 (armor 15)
    max_root_fields: int = 20  # Apollo Router's example 20
    # graphql-armor's maxCost; a 50-project portfolio costs ~260 upstream calls
    max_cost: int = 5000
    # off unless asked for (GATEWAY_INTROSPECTION; on in the sandbox by default)
    introspection: bool = False

    renamed: ClassVar[dict[str, str]] = {"introspection": "introspection_enabled"}


@dataclass(frozen=True, slots=True)
class WebhooksConfig(FromSettings):
    """This gateway's own webhook receiver: the secret it checks and the public origin it registers."""

    secret: SecretStr | None
    public_url: str | None

    renamed: ClassVar[dict[str, str]] = {"secret": "webhook_secret"}


@dataclass(frozen=True, slots=True)
class ObservabilityConfig(FromSettings):
    """Logging, tracing and the process's garbage-collector tuning."""

    log_level: str
    log_format: str | None
    otel: str | None
    gc_tuning: bool
