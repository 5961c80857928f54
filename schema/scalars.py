"""Helpers for the scalars the graph returns."""

from __future__ import annotations

from typing import cast

from strawberry.scalars import JSON

__all__ = ["JSON", "json_value"]


def json_value(value: object) -> JSON | None:
    """Any decoded JSON value as the JSON scalar (a NewType to mypy)."""
    return cast("JSON | None", value)
