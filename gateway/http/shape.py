"""The GraphQL-over-HTTP request's shape at the front door: what a POST body or a GET query string must be.

A malformed request is refused here with a code (Strawberry would answer ``text/plain``): a body that
is not a JSON object (``INVALID_GRAPHQL_REQUEST``), a batch (``BATCHING_DISABLED``), parameters of
the wrong type, a GET that carries a document instead of a persisted-query hash.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse

from gateway.http.auth import Principal
from gateway.http.rejection import Rejection

__all__ = [
    "GRAPHQL_PARAMS",
    "ParsedRequest",
    "get_request",
    "invalid",
    "operation_kind",
    "operation_name",
    "post_request",
    "shape",
]

GRAPHQL_PARAMS = frozenset({"query", "extensions", "operationName", "variables"})


def invalid(message: str) -> Rejection:
    return Rejection(400, "INVALID_GRAPHQL_REQUEST", message)


@functools.lru_cache(maxsize=512)
def operation_kind(document: str, operation_name: str | None, max_tokens: int) -> str | None:
    try:
        parsed = parse(document, max_tokens=max_tokens)  # the same token limit as every other path
    except GraphQLError:
        return None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if operation_name and o.name and o.name.value == operation_name),
        operations[0] if len(operations) == 1 else None,
    )
    return chosen.operation.value if chosen else None


_NAMED = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


def operation_name(payload: dict[str, Any]) -> str | None:
    """The operation's name without parsing: the request's operationName, else the document's first."""
    name = payload.get("operationName")
    if isinstance(name, str):
        return name
    query = payload.get("query")
    match = _NAMED.match(query) if isinstance(query, str) else None
    return match.group(1) if match else None


def shape(payload: dict[str, Any]) -> Rejection | None:
    """The GraphQL-over-HTTP request shape, refused with a code (Strawberry would answer text/plain)."""
    query, extensions = payload.get("query"), payload.get("extensions")
    if query is not None and not isinstance(query, str):
        return invalid("The request's `query` must be a string.")
    if not isinstance(payload.get("variables"), dict | None):
        return invalid("The request's `variables` must be an object.")
    if not isinstance(extensions, dict | None):
        return invalid("The request's `extensions` must be an object.")
    if not isinstance(payload.get("operationName"), str | None):
        return invalid("The request's `operationName` must be a string.")
    if not query and not (extensions and "persistedQuery" in extensions):
        return invalid("No GraphQL query found in the request.")
    return None


@dataclass(slots=True)
class ParsedRequest:
    payload: dict[str, Any]
    is_get: bool
    if_none_match: str | None
    principal: Principal
    raw: bytes = b""  # the POST body as received: what the digest memo is keyed by
    accept: bytes = b""  # the media types asked for: part of what identical means (gateway/http/coalesce.py)


def post_request(body: bytes, if_none_match: str | None, principal: Principal) -> ParsedRequest | Rejection:
    try:
        payload = orjson.loads(body)  # also refuses bytes that are not UTF-8
    except orjson.JSONDecodeError:
        return invalid("The body is not valid JSON.")
    if isinstance(payload, list):
        return Rejection(400, "BATCHING_DISABLED", "Batched operations are not accepted; send one per request.")
    if not isinstance(payload, dict):
        return invalid("The body must be a JSON object with a query.")
    return shape(payload) or ParsedRequest(payload, False, if_none_match, principal, body)


def get_request(
    query: dict[str, list[str]], if_none_match: str | None, principal: Principal
) -> ParsedRequest | Rejection:
    if "query" in query or "extensions" not in query:
        return Rejection(405, "METHOD_NOT_ALLOWED", "Send operations with POST; GET carries persisted queries only.")
    try:
        payload: dict[str, Any] = {
            name: orjson.loads(query[name][0]) for name in ("extensions", "variables") if name in query
        }
    except orjson.JSONDecodeError:
        return invalid("extensions and variables must be JSON.")
    if "operationName" in query:
        payload["operationName"] = query["operationName"][0]
    return shape(payload) or ParsedRequest(payload, True, if_none_match, principal)
