"""A document with several operations runs only the one the request names: the GraphQL spec's GetOperation.

When a request names no operation, Strawberry takes the document's first and hands its name to
graphql-core, so ``query A {...} mutation B {...}`` sent without ``operationName`` ran A. The spec
makes that a request error ("if operationName is null and the document has more than one operation,
produce a query error requiring operationName"): a client that relied on it was running whichever
operation came first. ``OperationChoice`` refuses such a request before validation, over HTTP (POST,
GET, persisted queries, uploads) and WebSocket alike, with ``OPERATION_NAME_REQUIRED`` and the names
the document holds. Nothing runs, and the document is neither remembered as validated nor registered
as a persisted query.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

__all__ = ["OPERATION_NAME_REQUIRED", "OperationChoice"]

OPERATION_NAME_REQUIRED = "OPERATION_NAME_REQUIRED"


class OperationChoice(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # the name the request gave, before Strawberry's fallback to the first operation's
        provided = getattr(context, "_provided_operation_name", None)
        if document is not None and provided is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            names = [o.name.value if o.name else "(anonymous)" for o in operations]
            if len(names) > 1:
                message = (
                    f"This document holds {len(names)} operations ({', '.join(names)}): name the one to run "
                    "with operationName."
                )
                # set before validation: Strawberry then skips it and answers this error, running nothing
                context.pre_execution_errors = [GraphQLError(message, extensions={"code": OPERATION_NAME_REQUIRED})]
        yield
