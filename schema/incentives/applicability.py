"""Applicabilities: the conditions a customer must meet, their choices and property keys, and the input form."""

from __future__ import annotations

import strawberry

from gateway.upstream.arcadia.models import ApplicabilityRecord, ChoiceRecord, PropertyKeyRecord

__all__ = ["Applicability", "ApplicabilityInput", "Choice", "PropertyKey"]


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
        return cls(
            display_value=record.display_value,
            value=record.value,
            data_value=record.data_value,
            likelihood=record.likelihood,
        )


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
        return cls(
            key_name=record.key_name,
            display_name=record.display_name,
            description=record.description,
            family=record.family,
            keyspace=record.keyspace,
            data_type=record.data_type,
            quantity_unit=record.quantity_unit,
            formula_detail=record.formula_detail,
            privacy=record.privacy,
        )


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
        return cls(
            applicability_key=record.applicability_key,
            display_name=record.display_name,
            description=record.description,
            required_value=record.required_value,
            min_value=record.min_value,
            max_value=record.max_value,
            operator=record.operator,
            quantity_key=record.quantity_key,
            quantity_unit=record.quantity_unit,
            choices=[Choice.of(c) for c in record.choices] if record.choices is not None else None,
        )

    @classmethod
    def many(cls, records: list[ApplicabilityRecord] | None) -> list[Applicability]:
        return [cls.of(r) for r in records or []]
