"""Forbids storing a response that is not a query, has errors or answers in parts (``gateway/cacheability.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.cacheability import Cacheability as Verdict
from schema.incremental import initial_of

__all__ = ["Cacheability"]


class Cacheability(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        verdict = Verdict.current()
        if verdict is None:
            return
        context = self.execution_context
        try:
            is_query = context.operation_type is OperationType.QUERY
        except RuntimeError:  # the document never parsed
            is_query = False
        result = initial_of(context.result)
        # an incremental answer streams in parts and is never stored (gateway/incremental.py)
        if not is_query or result is None or result.errors or result is not context.result:
            verdict.forbid("not a query, errors, or parts")  # mutations, subscriptions and errors are never cached
