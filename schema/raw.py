"""``raw(path:)`` on every upstream record: the object as the upstream sent it, for fields not typed yet.

A record's raw object is the one it was read from: a list row, an inlined ``*_data`` copy, or the detail.
When ``path`` starts with a key that object lacks and the type has a detail call (``load_full``), the
detail's object answers, exactly as the typed fields fall back to it. Plan rules hold by construction:
the raw object is what the upstream sent this caller (no design on API Access, no proposal without Raw
Data). Secrets the typed graph withholds stay withheld (webhook header values).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from gateway.upstream.opensolar.design_codec import json_at_path
from gateway.upstream.tolerant import raw_of
from schema.info import Info
from schema.scalars import JSON

__all__ = ["RAW_DESCRIPTION", "raw_field", "redact_headers"]

RAW_DESCRIPTION = (
    "The upstream object this record was read from, exactly as sent (a list row, an inlined copy or the "
    "detail), or the part of it a path names; null when the path names nothing. For upstream fields the "
    "graph does not type yet. No extra call when the object holds the path's first key; otherwise the same "
    "detail call the typed fields would make."
)
PathArgument = Annotated[
    str | None,
    strawberry.argument(
        description="A dotted path (systems.0.uuid; list items by index) or a JSON Pointer (/systems/0/uuid); "
        "omitted for the whole object."
    ),
]


def _first_key(path: str) -> str:
    parts = path.split("/")[1:] if path.startswith("/") else path.split(".")
    return parts[0].replace("~1", "/").replace("~0", "~") if parts else ""


def redact_headers(value: Any) -> Any:
    """A webhook object with its header values replaced: OpenSolar echoes them to the receiver as secrets."""
    if not isinstance(value, dict) or not value.get("headers"):
        return value
    headers = value["headers"]
    if isinstance(headers, str):
        try:
            headers = json.loads(headers)
        except ValueError:
            headers = None
    return {**value, "headers": dict.fromkeys(headers, "[redacted]") if isinstance(headers, dict) else "[redacted]"}


def raw_field(redact: Callable[[Any], Any] | None = None) -> Any:
    """The ``raw`` field of a type whose instances hold ``record`` (and, optionally, ``load_full``)."""

    async def resolve(root: strawberry.Parent[Any], info: Info, path: PathArgument = None) -> JSON | None:
        value = raw_of(root.record)
        load_full: Callable[[Info], Awaitable[Any]] | None = getattr(root, "load_full", None)
        if load_full is not None and (not isinstance(value, dict) or (path and _first_key(path) not in value)):
            value = raw_of(await load_full(info))
        if redact is not None:
            value = redact(value)
        found: JSON | None = json_at_path(value, path)
        return found

    return strawberry.field(resolver=resolve, description=RAW_DESCRIPTION)
