"""Marks a request's read trace uncacheable when its operation is not a query or has errors."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.cache.trace import read_trace

__all__ = ["Cacheability"]


class Cacheability(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        trace = read_trace.get()
        if trace is None:
            return
        context = self.execution_context
        try:
            is_query = context.operation_type is OperationType.QUERY
        except RuntimeError:  # the document never parsed
            is_query = False
        if not is_query or context.result is None or context.result.errors:
            trace.spoil()  # mutations, subscriptions and errors are never cached
