"""Input checks for mutations: each failure is ``BAD_REQUEST`` naming the argument, before any upstream call."""

from __future__ import annotations

import math
import re
from typing import Any

import strawberry

from gateway.errors import BadRequestError
from schema.context import parse_id

__all__ = ["described", "given", "id_list", "in_range", "optional_id", "text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def described(description: str) -> Any:
    """An optional input field: left out (UNSET) unless given, so an update sends only what was given."""
    return strawberry.field(default=strawberry.UNSET, description=description)


def given(value: Any) -> bool:
    """Whether an input field was passed at all (``null`` counts: it clears the field)."""
    return value is not strawberry.UNSET


def text(value: str | None, argument: str, limit: int, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise BadRequestError(f"{argument} is required and cannot be empty.", argument=argument)
        return value
    if len(value) > limit:
        raise BadRequestError(f"{argument} takes at most {limit} characters.", argument=argument)
    if _CONTROL.search(value):
        raise BadRequestError(f"{argument} cannot contain control characters.", argument=argument)
    return value


def in_range(value: float | None, argument: str, low: float, high: float) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadRequestError(f"{argument} must be between {low:g} and {high:g}.", argument=argument)
    return value


def optional_id(
    value: strawberry.ID | None, argument: str, kind: str | None = None, org: int | None = None
) -> int | None:
    """An optional id; with ``kind`` (a Node type) its global id is taken too (see ``parse_id``)."""
    return parse_id(str(value), argument, kind, org) if value is not None else None


def id_list(
    values: list[strawberry.ID] | None, argument: str, limit: int, kind: str | None = None, org: int | None = None
) -> list[int]:
    if values is None:
        return []
    if len(values) > limit:
        raise BadRequestError(f"{argument} takes at most {limit} ids.", argument=argument)
    ids = [parse_id(str(v), argument, kind, org) for v in values]
    if len(set(ids)) != len(ids):
        raise BadRequestError(f"{argument} lists an id twice.", argument=argument)
    return ids
