"""What operators see: Prometheus metrics, structured JSON logs with a request id, optional tracing.

Metrics live in a registry per app (never the process-global one), and most are read at scrape
time from the counters the cache, pacer and clients already keep, so nothing on the hot path pays
for them twice. Logs are JSON lines carrying the request id; credentials appear only as
fingerprints. Tracing (OpenTelemetry) is off unless ``GATEWAY_OTEL`` names an exporter; the API
calls cost nothing while it is off.
"""

from __future__ import annotations

import collections
import logging
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from opentelemetry import trace
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.log_pipeline import LogPipeline, start_logging
from gateway.metric_tallies import CounterTally, HistogramTally

__all__ = [
    "Metrics",
    "Reported",
    "UpstreamReport",
    "configure_logging",
    "configure_tracing",
    "operation_label",
    "request_id",
    "tracer",
]

request_id: ContextVar[str] = ContextVar("request_id", default="-")
tracer = trace.get_tracer("solar-gateway")
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_LABELS = 200  # operation names come from clients: cap the metric's label values
_seen_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """The metrics label of an operation name: bounded in length, in characters and in how many there are."""
    if not name:
        return "anonymous"
    if not _OPERATION_NAME.match(name):
        return "invalid"
    if name not in _seen_operations and len(_seen_operations) >= MAX_OPERATION_LABELS:
        return "other"
    _seen_operations.add(name)
    return name


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(level: str = "INFO", *, json: bool = True, writer: str = "thread") -> LogPipeline:
    """Called from the app's lifespan (never at import): JSON lines on stderr, each with its request id, rendered
    and written by a queue listener thread (``gateway/log_pipeline.py``), access lines by a log writer process
    with ``writer="process"`` (``gateway/log_writer.py``); ``stop()`` the result at shutdown."""
    return start_logging(level, json=json, filters=[_RequestIdFilter()], writer=writer)


def configure_tracing(exporter: str | None, *, span_exporter: Any = None) -> bool:
    """Install an SDK tracer provider: ``console``, ``otlp`` (needs the OTLP exporter package) or a test's own."""
    if not exporter and span_exporter is None:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "solar-gateway"}))
    if span_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # optional extra

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


BUS_EVENTS = (
    "delivered",  # messages handed to this replica's subscribers
    "relayed",  # messages from other replicas
    "publish_failed",  # Redis unreachable: delivered here only, kept in the outbox
    "replayed",  # outbox messages published once Redis answered again
    "outbox_dropped",  # outbox full during a long outage (oldest lost)
    "subscribers_dropped",  # subscribers closed with SLOW_SUBSCRIBER
)


class _Limited(Protocol):
    @property
    def limit(self) -> int: ...


@dataclass(frozen=True, slots=True)
class UpstreamReport:
    """One upstream client's counters (``status:429``) and its in-flight cap (halved on a 429)."""

    name: str
    stats: collections.Counter[str]
    slots: _Limited


@dataclass(frozen=True, slots=True)
class Reported:
    """The counters ``/metrics`` reads at scrape time, handed over by whoever opened their owners."""

    cache: collections.Counter[str] | None  # the upstream cache; None when it is off
    bus: collections.Counter[str]
    responses: collections.Counter[str] | None  # the response cache
    pacing: collections.Counter[str] | None
    upstreams: tuple[UpstreamReport, ...]
    tokens: collections.Counter[str]  # pass-through token checks
    inbound: collections.Counter[str] | None
    persisted: collections.Counter[str]


class _StatsCollector(Collector):
    """Cache, pacing and upstream-status counters, read from the components at scrape time."""

    def __init__(self, reported: Reported) -> None:
        self.reported = reported

    def collect(self) -> Iterator[Any]:
        cache = CounterMetricFamily("gateway_cache_events", "Upstream cache events", labels=["event"])
        if (cache_stats := self.reported.cache) is not None:
            for event in (
                "hits",
                "misses",
                "stale",
                "coalesced",
                "stores",
                "evicted",
                "store_errors",
                "evict_deferred",
            ):
                cache.add_metric([event], cache_stats[event])
        yield cache
        bus = CounterMetricFamily(
            "gateway_event_bus_events",
            "Evictions and changes between replicas (Redis outages, replays)",
            labels=["event"],
        )
        for event in BUS_EVENTS:
            bus.add_metric([event], self.reported.bus[event])
        yield bus
        responses = CounterMetricFamily(
            "gateway_response_cache_events", "Operation response cache events", labels=["event"]
        )
        if (response_stats := self.reported.responses) is not None:
            for event in ("hits", "misses", "stores", "errors"):
                responses.add_metric([event], response_stats[event])
        yield responses
        pacing = CounterMetricFamily("gateway_throttle_events", "Pacing against upstream limits", labels=["event"])
        if (pacing_stats := self.reported.pacing) is not None:
            for event in ("waits", "rejected", "pauses", "storage_errors"):
                pacing.add_metric([event], pacing_stats[event])
        yield pacing
        waited = CounterMetricFamily("gateway_throttle_wait_seconds", "Seconds spent waiting for budget")
        waited.add_metric([], (pacing_stats["wait_ms"] / 1000) if pacing_stats is not None else 0)
        yield waited
        throttled = CounterMetricFamily("gateway_upstream_429", "429s received from upstreams", labels=["upstream"])
        concurrency = GaugeMetricFamily(
            "gateway_upstream_concurrency_limit", "Current in-flight cap", labels=["upstream"]
        )
        for client in self.reported.upstreams:
            throttled.add_metric([client.name], client.stats["status:429"])
            concurrency.add_metric([client.name], client.slots.limit)
        yield throttled
        yield concurrency
        door = CounterMetricFamily(
            "gateway_front_door_events", "Credentials, inbound quota and persisted queries", labels=["event"]
        )
        for event in ("checks", "refused", "refused_remembered"):
            door.add_metric([f"token_{event}"], self.reported.tokens[event])
        if (inbound_stats := self.reported.inbound) is not None:
            for event in ("refused", "store_errors"):
                door.add_metric([f"inbound_{event}"], inbound_stats[event])
        for event in ("registered", "too_large", "over_quota", "store_errors"):
            door.add_metric([f"persisted_{event}"], self.reported.persisted[event])
        yield door


class Metrics:
    """The app's Prometheus registry. The per-request and per-call series are tallies (plain numbers on the
    event loop, ``gateway/metric_tallies.py``); the rest is read at scrape time from what the parts count."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = CounterTally(
            "gateway_graphql_requests", "GraphQL operations by name and outcome", ["operation", "outcome"]
        )
        self.latency = HistogramTally(
            "gateway_graphql_request_seconds", "GraphQL operation latency", ["operation"], LATENCY_BUCKETS_S
        )
        self.upstream_calls = CounterTally(
            "gateway_upstream_calls", "Upstream HTTP calls", ["upstream", "endpoint_class", "status"]
        )
        self.upstream_latency = HistogramTally(
            "gateway_upstream_call_seconds", "Upstream call latency", ["upstream", "endpoint_class"], LATENCY_BUCKETS_S
        )
        self.http = CounterTally("gateway_http_responses", "HTTP responses by route and status", ["route", "status"])
        for tally in (self.requests, self.latency, self.upstream_calls, self.upstream_latency, self.http):
            self.registry.register(tally)
        self.shape_errors = Counter(  # rare (a foreign upstream shape): prometheus_client's own counter
            "gateway_upstream_shape_errors",
            "GraphQL fields nulled because the upstream value they read had a foreign shape, by upstream field",
            ["upstream", "field"],
            registry=self.registry,
        )

    def watch(self, reported: Reported) -> None:
        self.registry.register(_StatsCollector(reported))

    def upstream_call(self, upstream: str, endpoint_class: str, status: str, seconds: float) -> None:
        self.upstream_calls.inc((upstream, endpoint_class, status))
        self.upstream_latency.observe((upstream, endpoint_class), seconds)

    def operation(self, name: str, outcome: str, seconds: float) -> None:
        self.requests.inc((name, outcome))
        self.latency.observe((name,), seconds)

    def shape_error(self, upstream: str, field: str) -> None:
        # label values come from the models' own field names (Model.key), never from the payload: bounded
        self.shape_errors.labels(upstream, field).inc()

    def http_response(self, route: str, status: int) -> None:
        self.http.inc((route, str(status)))

    def render(self) -> bytes:
        return generate_latest(self.registry)
