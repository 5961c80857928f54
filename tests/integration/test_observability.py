"""What operators see: metrics, request ids in JSON logs, spans, health and readiness."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.exchange import Exchange
from gateway.observability import configure_logging, configure_tracing
from gateway.sandbox import RAW_DATA_ORG_ID, Fault, sandbox_token
from gateway.settings import Settings
from schema.operations import load_operations
from tests.conftest import Gateway, running_gateway
from tests.integration.servers import dead_address

pytestmark = pytest.mark.integration

SPANS = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracing() -> None:
    configure_tracing(None, span_exporter=SPANS)  # the global provider can be set once per process


@contextmanager
def json_logs() -> Iterator[None]:
    """JSON logging for one block (pytest rearranges root handlers between test phases)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logs = configure_logging("INFO", json=True)
    try:
        yield
    finally:
        logs.stop()  # writes every queued line, as the lifespan does at shutdown
        root.handlers[:], root.level = saved


async def test_metrics_after_traffic(gateway: Gateway) -> None:
    query = load_operations()["ProjectPage"]
    await gateway.query(query, {"id": "3001"})
    await gateway.query(query, {"id": "3001"})
    gateway.sandbox.faults.append(Fault(route="opensolar.proposal", status=429, headers={"Retry-After": "30"}))
    await gateway.query('query Broken { org { project(id: "3002") { proposal { projectId } } } }')
    await gateway.query("{ org { nope } }")
    text = (await gateway.client.get("/metrics")).text
    assert 'gateway_graphql_requests_total{operation="ProjectPage",outcome="ok"} 1.0' in text
    assert 'gateway_graphql_requests_total{operation="ProjectPage",outcome="cached"} 1.0' in text
    assert 'gateway_response_cache_events_total{event="hits"} 1.0' in text
    assert 'gateway_graphql_requests_total{operation="Broken",outcome="error"} 1.0' in text
    assert 'gateway_graphql_requests_total{operation="anonymous",outcome="rejected"} 1.0' in text
    assert 'gateway_graphql_request_seconds_bucket{le="0.5",operation="ProjectPage"}' in text
    # ProjectPage's 3001 (cached once) and Broken's 3002
    assert 'gateway_upstream_calls_total{endpoint_class="project_detail",status="200",upstream="opensolar"} 2.0' in text
    assert 'gateway_upstream_calls_total{endpoint_class="proposal",status="429",upstream="opensolar"}' in text
    assert 'gateway_upstream_429_total{upstream="opensolar"}' in text
    assert 'gateway_cache_events_total{event="hits"}' in text and 'gateway_cache_events_total{event="misses"}' in text
    assert 'gateway_throttle_events_total{event="waits"}' in text
    assert 'gateway_http_responses_total{route="/graphql",status="200"}' in text


async def test_request_ids_reach_the_json_logs_and_tokens_never_do(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    with json_logs():
        await _requests_with_logs(gateway)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert lines and all({"time", "level", "name", "message", "request_id"} <= line.keys() for line in lines)
    assert {line["request_id"] for line in lines} >= {"req-456"}
    assert gateway.raw_token not in json.dumps(lines)


async def test_each_request_leaves_one_access_line_with_its_id(
    gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    with json_logs():
        first = await gateway.client.post("/graphql", json={"query": "{ org { id } }"})
        second = await gateway.client.get("/healthz")
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert ids[0] != ids[1] and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["name"] == "gateway.access"]
    assert [(line["request_id"], line["status"]) for line in access] == [(ids[0], 200), (ids[1], 200)]
    assert access[0]["message"] == "POST /graphql 200" and access[0]["duration_ms"] >= 0


async def _requests_with_logs(gateway: Gateway) -> None:
    token = gateway.raw_token
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ org { nope } }"},
        headers={"X-Request-ID": "req-123", "Authorization": f"Bearer {token}"},
    )
    assert response.headers["x-request-id"] == "req-123"
    generated = await gateway.client.post(
        "/graphql", json={"query": "{ org { id } }"}, headers={"X-Request-ID": "bad id with spaces!"}
    )
    assert len(generated.headers["x-request-id"]) == 32  # replaced by a fresh one
    logging.getLogger("gateway.test").warning("inside a request", extra={})
    gateway.sandbox.faults.append(Fault(route="opensolar.org", status=503))
    await gateway.client.post(
        "/graphql",
        json={"query": "{ org { name } }"},
        headers={"X-Request-ID": "req-456", "Authorization": f"Bearer {token}"},
    )


async def test_spans_per_operation_and_upstream_call(gateway: Gateway) -> None:
    SPANS.clear()
    await gateway.query('query One { org { project(id: "3001") { county } } }')
    names = [span.name for span in SPANS.get_finished_spans()]
    assert "graphql.operation" in names and "opensolar GET project_detail" in names
    operation = next(s for s in SPANS.get_finished_spans() if s.name == "graphql.operation")
    assert operation.attributes is not None and operation.attributes["graphql.operation.name"] == "One"


async def test_health_and_readiness(gateway: Gateway) -> None:
    assert (await gateway.client.get("/healthz")).json() == {"status": "ok"}
    ready = await gateway.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"opensolar": True, "arcadia": True, "cache": True}


async def test_not_ready_when_an_upstream_or_the_cache_is_down() -> None:
    with dead_address() as dead, dead_address() as dead_redis:
        settings = Settings.model_validate(
            {
                "OPENSOLAR_BASE_URL": f"http://{dead}",
                "ARCADIA_BASE_URL": f"http://{dead}",
                "OPENSOLAR_TOKEN": "x" * 40,
                "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
                "GATEWAY_CACHE_URL": f"redis://{dead_redis}/0",
            }
        )
        async with running_gateway(settings) as gateway:
            ready = await gateway.client.get("/readyz")
            alive = await gateway.client.get("/healthz")
    assert ready.status_code == 503 and alive.status_code == 200
    assert ready.json()["checks"] == {"opensolar": False, "arcadia": False, "cache": False}
    assert sandbox_token("x") not in ready.text


async def test_a_cache_hit_keeps_its_request_id_status_and_access_line_however_it_is_sent(
    gateway: Gateway, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain answer from the response cache (a hit, or a miss's stored answer) goes through Exchange.respond
    # (no layer wrapped the access layer's send); a hit for a client that accepts br passes the compression
    # layer's send, and a 304 goes message by message.
    whole: list[bytes] = []
    respond = Exchange.respond

    async def counted(self: Exchange, status: int, headers: Any, body: bytes) -> None:
        whole.append(self.header[1])
        await respond(self, status, headers, body)

    monkeypatch.setattr(Exchange, "respond", counted)
    payload = {"query": load_operations()["ProjectPage"], "variables": {"id": "3001"}}
    auth = {"Authorization": f"Bearer {gateway.raw_token}", "Accept-Encoding": "identity"}
    http = gateway.runtime.metrics.http
    with json_logs():
        miss = await gateway.client.post("/graphql", json=payload, headers={**auth, "X-Request-ID": "miss"})
        counted_before = http.value(("/graphql", "200"))
        plain = await gateway.client.post("/graphql", json=payload, headers={**auth, "X-Request-ID": "hit-plain"})
        coded = await gateway.client.post(
            "/graphql", json=payload, headers={**auth, "X-Request-ID": "hit-br", "Accept-Encoding": "br"}
        )
        same = await gateway.client.post(
            "/graphql",
            json=payload,
            headers={**auth, "X-Request-ID": "hit-304", "If-None-Match": plain.headers["etag"]},
        )
    answers = [miss, plain, coded, same]
    assert [(a.status_code, a.headers["x-request-id"]) for a in answers] == [
        (200, "miss"),
        (200, "hit-plain"),
        (200, "hit-br"),
        (304, "hit-304"),
    ]
    assert whole == [b"miss", b"hit-plain"]
    assert coded.headers["content-encoding"] == "br" and coded.json() == plain.json() == miss.json()
    assert gateway.runtime.caches.responses is not None and gateway.runtime.caches.responses.stats["hits"] == 3
    assert http.value(("/graphql", "200")) - counted_before == 2 and http.value(("/graphql", "304")) == 1
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [(line["request_id"], line["status"]) for line in lines if line["name"] == "gateway.access"]
    assert access == [("miss", 200), ("hit-plain", 200), ("hit-br", 200), ("hit-304", 304)]
