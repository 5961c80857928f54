"""Per-operation metrics and a tracing span, as a Strawberry extension."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from gateway.observability import operation_label, tracer
from schema.incremental import initial_of

__all__ = ["OperationTelemetry"]

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
