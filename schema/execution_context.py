"""The executor of one operation, made so that what it reached is freed by reference counting.

graphql-core's executor keeps ``async_helpers``, a tuple of two of its own bound methods: a cycle
from the executor to itself. Everything the executor reaches (the request's context, its loaders,
every upstream task and record, the result) was therefore garbage only the cycle collector could
free: ~7,000 objects per cold portfolio, collected ~10 ms per request later. Here the helpers
call the executor through a weak reference, so the executor and all it holds go when execution
drops it. graphql-core calls the helpers only for ``is_type_of`` checks that return awaitables (none
in this schema: Strawberry's are synchronous), always while the executor that made them runs.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["AcyclicExecutionContext"]


class AcyclicExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context whose ``async_helpers`` hold it weakly (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _weak_helpers(weakref.ref(self))


def _weak_helpers(executor: weakref.ref[AcyclicExecutionContext]) -> GraphQLResolveInfoHelpers:
    def running() -> AcyclicExecutionContext:
        found = executor()
        if found is None:
            raise RuntimeError("the operation's executor has finished")
        return found

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return running().gather_async_work(values)

    def track(values: Sequence[Any]) -> None:
        running().track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)
