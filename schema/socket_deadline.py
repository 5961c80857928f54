"""Queries and mutations over WebSocket are bounded by the request deadline, as over HTTP.

``Context.for_request`` starts the deadline (``GATEWAY_REQUEST_DEADLINE_S``) for an HTTP request; a
socket's context is made once per connection, without one, so a query sent over it (a deferred
one included: its later parts wait on Arcadia) could wait on an upstream for ever. Each such
operation runs in its own task, so the deadline started here bounds that operation only.
Subscriptions stay unbounded: they live as long as their client.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.deadline import current_deadline, start_deadline

__all__ = ["SocketDeadline"]


class SocketDeadline(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        budget_s = getattr(context.context, "request_deadline_s", None)
        if (
            budget_s is not None
            and current_deadline.get() is None
            and context.operation_type is not OperationType.SUBSCRIPTION
        ):
            start_deadline(budget_s)
        yield
