"""Applicabilities: the conditions a customer must meet, their choices and property keys, and the input form."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from gateway.upstream.arcadia.models import ApplicabilityRecord, ChoiceRecord, PropertyKeyRecord

__all__ = ["Applicability", "ApplicabilityInput", "Choice", "PropertyKey"]


def _same_named(cls: type[Any], record: object, **given: Any) -> dict[str, Any]:
    """``cls``'s fields, each read from the same-named attribute of the Arcadia record (``given`` wins)."""
    return {item.name: getattr(record, item.name) for item in dataclasses.fields(cls) if item.name not in given} | given


@strawberry.input(description='One applicability input, e.g. {key: "tilt", value: "25"}.')
class ApplicabilityInput:
    key: str
    value: str


@strawberry.type
class Choice:
    display_value: str | None
    value: str | None
    data_value: str | None
    likelihood: float | None

    @classmethod
    def of(cls, record: ChoiceRecord) -> Choice:
        return cls(**_same_named(cls, record))


@strawberry.type(description="A property key (the quantity an incentive's rate multiplies, or a cost basis).")
class PropertyKey:
    key_name: str | None
    display_name: str | None
    description: str | None
    family: str | None
    keyspace: str | None
    data_type: str | None
    quantity_unit: str | None
    formula_detail: str | None
    privacy: str | None

    @classmethod
    def of(cls, record: PropertyKeyRecord | None) -> PropertyKey | None:
        if record is None or record.key_name is None:
            return None  # Arcadia sends {"keyName": null} for "no key"
        return cls(**_same_named(cls, record))


@strawberry.type(description="A condition a customer must meet; range, required value, choice or formula.")
class Applicability:
    applicability_key: str
    display_name: str | None
    description: str | None
    required_value: str | None
    min_value: float | None
    max_value: float | None
    operator: str | None
    quantity_key: str | None
    quantity_unit: str | None
    choices: list[Choice] | None

    @classmethod
    def of(cls, record: ApplicabilityRecord) -> Applicability:
        choices = [Choice.of(c) for c in record.choices] if record.choices is not None else None
        return cls(**_same_named(cls, record, choices=choices))

    @classmethod
    def many(cls, records: list[ApplicabilityRecord] | None) -> list[Applicability]:
        return [cls.of(r) for r in records or []]
