"""Fields read from an upstream record, falling back to the detail call only when the record lacks them.

A list row or an inlined ``*_data`` copy often holds what a query asks for; ``record_field`` serves
from it when the upstream sent that key and otherwise asks the object for its full record, which
goes through the request's DataLoader (one call however many fields fall back).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import strawberry

from gateway.upstream.opensolar.models import Record
from schema.info import Info
from schema.plain_resolvers import direct

__all__ = ["Sourced", "record_field"]


class Sourced(Protocol):
    @property
    def record(self) -> Record: ...

    def load_full(self, info: Info) -> Awaitable[Record]: ...


async def _from_full(root: Sourced, info: Info, attr: str, convert: Callable[[Any], Any] | None) -> Any:
    value = getattr(await root.load_full(info), attr)
    return convert(value) if convert is not None and value is not None else value


def record_field(
    attr: str, graphql_type: Any, description: str | None = None, convert: Callable[[Any], Any] | None = None
) -> Any:
    # Synchronous when the record holds the value (the common case: no coroutine, no task); a
    # coroutine otherwise, which graphql-core awaits like any async resolver's result.
    @direct  # reads only info.context (through load_full): graphql-core may call it as it is
    def resolve(root: strawberry.Parent[Any], info: Info) -> Any:
        record = root.record
        if attr in record.model_fields_set:
            value = getattr(record, attr)
            return convert(value) if convert is not None and value is not None else value
        return _from_full(root, info, attr, convert)

    return strawberry.field(resolver=resolve, graphql_type=graphql_type, description=description)
