"""Every GraphQL error leaves with a stable ``extensions.code``; unexpected ones are masked.

Gateway errors carry their own code (graphql-core copies ``original_error.extensions``). Parse and
validation errors get ``GRAPHQL_PARSE_FAILED``/``GRAPHQL_VALIDATION_FAILED``; variables that do not
coerce to their declared types (missing, null for a non-null type, a bool for an ID, "abc" for an Int,
an unknown enum value) get ``BAD_USER_INPUT``, Apollo's code for it. Anything else is a bug:
it is logged with its traceback and replaced by "Unexpected error." with ``INTERNAL_SERVER_ERROR``,
so no stack trace, upstream body or secret reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.cache import StaleRead, stale_reads
from gateway.errors import GatewayError
from schema.incremental import initial_of

__all__ = ["ErrorCodes", "StaleReads", "code_for", "coded_error"]

logger = logging.getLogger("gateway.graphql")


# Messages of the limiters strawberry and graphql-core provide, which carry no code of their own.
_LIMIT_CODES = (
    ("Document contains more than", "MAX_TOKENS_EXCEEDED"),
    ("exceeds maximum operation depth", "MAX_DEPTH_EXCEEDED"),
    ("aliases found. Allowed", "MAX_ALIASES_EXCEEDED"),
    ("GraphQL introspection has been disabled", "INTROSPECTION_DISABLED"),
)


def _document_code(message: str) -> str:
    for fragment, code in _LIMIT_CODES:
        if fragment in message:
            return code
    return "GRAPHQL_PARSE_FAILED" if message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"


def code_for(message: str) -> str:
    """The code of an error found before execution, from its message (for errors that arrive without one)."""
    return "BAD_USER_INPUT" if message.startswith("Variable '$") else _document_code(message)


def _is_variable_error(error: GraphQLError) -> bool:
    """graphql-core's coercion of the request's variables failed: the caller's input, found before execution."""
    return error.path is None and error.message.startswith("Variable '$")


def coded_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GatewayError):
        return error
    if _is_variable_error(error):
        error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
        return error
    if original is None:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": _document_code(error.message)}
        return error
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        "Unexpected error.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = initial_of(self.execution_context.result)
        if result is not None and result.errors:
            result.errors = [coded_error(error) for error in result.errors]


class StaleReads(SchemaExtension):
    """Lists, in ``extensions.stale``, every upstream read served stale because the upstream failed."""

    def on_operation(self) -> Iterator[None]:
        self._reads: list[StaleRead] = []
        token = stale_reads.set(self._reads)
        try:
            yield
        finally:
            stale_reads.reset(token)

    def get_results(self) -> dict[str, Any]:
        if not self._reads:
            return {}
        return {
            "stale": [
                {"upstream": r.upstream, "resource": r.resource, "ageSeconds": r.age_s, "reason": r.reason}
                for r in self._reads
            ]
        }
