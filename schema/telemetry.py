"""Per-operation metrics and a tracing span, as a Strawberry extension."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from gateway.observability import tracer
from schema.incremental import initial_of

__all__ = ["OperationTelemetry", "operation_label"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_LABELS = 200  # operation names come from clients: cap the metric's label values
_seen: set[str] = set()
DOCUMENT_CODES = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "MAX_TOKENS_EXCEEDED",
    "MAX_DEPTH_EXCEEDED",
    "MAX_ALIASES_EXCEEDED",
    "MAX_ROOT_FIELDS_EXCEEDED",
    "COST_LIMIT_EXCEEDED",
    "INTROSPECTION_DISABLED",
}


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "invalid"
    if name not in _seen and len(_seen) >= MAX_OPERATION_LABELS:
        return "other"
    _seen.add(name)
    return name


class OperationTelemetry(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        with tracer.start_as_current_span("graphql.operation") as span:
            yield
            context = self.execution_context
            name = operation_label(context.operation_name)
            result = initial_of(context.result)
            errors = result.errors if result is not None else None
            codes = {(e.extensions or {}).get("code") for e in errors or []}
            outcome = "ok" if not errors else ("rejected" if codes <= DOCUMENT_CODES else "error")
            span.set_attribute("graphql.operation.name", name)
            span.set_attribute("graphql.outcome", outcome)
        metrics = getattr(context.context, "metrics", None)
        if metrics is not None:
            metrics.operation(name, outcome, time.perf_counter() - started)
            for error in errors or ():
                extensions = error.extensions or {}
                if extensions.get("code") == "UPSTREAM_BAD_RESPONSE" and extensions.get("field"):
                    metrics.shape_error(str(extensions.get("upstream")), str(extensions["field"]))
