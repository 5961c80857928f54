"""Every GraphQL error leaves with a stable ``extensions.code``; unexpected ones are masked. The one rule.

Gateway errors carry their own code (graphql-core copies ``original_error.extensions``). Parse and
validation errors get ``GRAPHQL_PARSE_FAILED``/``GRAPHQL_VALIDATION_FAILED`` (or the code of the limit
they hit); variables that do not coerce to their declared types (missing, null for a non-null type, a
bool for an ID, "abc" for an Int, an unknown enum value) get ``BAD_USER_INPUT``, Apollo's code for it.
Anything else is a bug: it is logged and replaced by "Unexpected error." with
``INTERNAL_SERVER_ERROR``, so no stack trace, upstream body or secret reaches the client.

Two entry points, one rule: ``coded_error`` for errors while Strawberry still holds them (the
``ErrorCodes`` schema extension, which sees the original exception and logs its traceback), and
``coded`` for errors that reach the edge already formatted (an HTTP answer's last check in
``GatewayGraphQL.process_result``, and WebSocket frames in ``gateway/http/ws.py``, whose validation
errors Strawberry sends without running the extensions).
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from gateway.errors import GatewayError

__all__ = ["INTERNAL_SERVER_ERROR", "code_for", "coded", "coded_error"]

logger = logging.getLogger("gateway.graphql")
edge_logger = logging.getLogger("gateway")
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
UNEXPECTED = "Unexpected error."

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
    """``error`` with its code, or masked when it is not one of ours (its traceback is logged)."""
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
        UNEXPECTED,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": INTERNAL_SERVER_ERROR},
    )


def coded(error: dict[str, Any]) -> dict[str, Any]:
    """``error`` (a formatted GraphQL error) with an ``extensions.code``."""
    if (error.get("extensions") or {}).get("code"):
        return error
    if "path" in error:
        edge_logger.error("uncoded GraphQL error masked: %s", error.get("message"))
        return {**error, "message": UNEXPECTED, "extensions": {"code": INTERNAL_SERVER_ERROR}}
    return {**error, "extensions": {**(error.get("extensions") or {}), "code": code_for(str(error.get("message")))}}
