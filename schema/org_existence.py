"""Whether ``org`` exists, decided after its fields ran instead of one dependent round trip before them.

``org`` is null with exactly one NOT_FOUND/FORBIDDEN/UNAUTHENTICATED error at its path when the org
is not there for the caller. Checking that with the org record before resolving anything below put
a whole round trip in front of every operation. Instead ``Query.org`` returns at once and registers
an ``OrgCheck``; once execution is done, ``OrgExistence``:

- skips the org read when a read under ``/api/orgs/:org_id/`` already answered (a project detail
  is proof the org is there for this caller; an error elsewhere below is then that read's own);
- otherwise reads the org (free when a field such as ``name`` already read it in the same request,
  concurrently with the rest) and, when that read fails, nulls ``org`` and replaces every error
  below it with the org's one error: the answer a dependent check would have given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from graphql import FieldNode, GraphQLError, located_error
from strawberry.extensions import SchemaExtension

from schema.incremental import initial_of

__all__ = ["OrgCheck", "OrgExistence"]


@dataclass(frozen=True, slots=True)
class OrgCheck:
    """One ``org`` field of the operation: its response key, the org id and its nodes (for locations)."""

    key: str
    org_id: int
    nodes: tuple[FieldNode, ...]


def _under(error: GraphQLError, key: str) -> bool:
    return bool(error.path) and error.path[0] == key  # type: ignore[index]


class OrgExistence(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = initial_of(self.execution_context.result)  # with @defer: the initial part
        checks: list[OrgCheck] = getattr(context, "org_checks", [])
        if not checks or result is None or not isinstance(result.data, dict):
            return
        for check in checks:
            if check.key not in result.data or check.org_id in context.loaders.proven_orgs:
                continue  # a read below answered: the org is there, and any error below is that read's own
            try:
                await context.loaders.org.load(check.org_id)
            except Exception as exc:  # a coded error, or a bug: ErrorCodes masks the latter as it would below
                result.data[check.key] = None
                kept = [e for e in result.errors or [] if not _under(e, check.key)]
                result.errors = [*kept, located_error(exc, list(check.nodes), [check.key])]
