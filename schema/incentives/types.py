"""Incentives as GraphQL types: every field of the seed's Incentive and Applicability objects."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import TypeVar

import strawberry

from gateway.errors import BadRequestError
from gateway.upstream.arcadia.models import (
    ApplicabilityRecord,
    ChoiceRecord,
    IncentiveRecord,
    PropertyKeyRecord,
)
from schema.incentives.estimate import Estimate, Terms, estimate
from schema.raw import raw_field
from schema.relay.node import Node

__all__ = [
    "Applicability",
    "ApplicabilityInput",
    "Choice",
    "CustomerClass",
    "Eligibility",
    "Incentive",
    "IncentiveEstimate",
    "IncentiveType",
    "PropertyKey",
    "RateUnit",
    "enum_of",
    "known",
    "numeric_inputs",
]

E = TypeVar("E", bound=Enum)


_UNKNOWN = "UNKNOWN"
_UNKNOWN_VALUE = strawberry.enum_value(
    _UNKNOWN, description="A value this gateway does not know yet; the field's ...Raw sibling has it as sent."
)


def enum_of(cls: type[E], value: str | None) -> E | None:
    """An upstream string as its enum member; UNKNOWN for a value Arcadia adds later (its ...Raw field keeps it)."""
    if value is None:
        return None
    return next((member for member in cls if member.value == value), cls(_UNKNOWN))


def known(member: E | None, argument: str) -> E | None:
    """An enum argument, refused when it is UNKNOWN (an answer only, never a question)."""
    if member is not None and member.value == _UNKNOWN:
        raise BadRequestError(f"UNKNOWN is not a value {argument} can be searched by.", argument=argument)
    return member


@strawberry.enum(description="The seed's three outcomes.")
class Eligibility(Enum):
    ELIGIBLE = "ELIGIBLE"
    INELIGIBLE = "INELIGIBLE"
    COULD_BE_ELIGIBLE = "COULD_BE_ELIGIBLE"
    UNKNOWN = _UNKNOWN_VALUE


@strawberry.enum
class RateUnit(Enum):
    COST_PER_UNIT = "COST_PER_UNIT"
    PERCENTAGE = "PERCENTAGE"
    BLOCK = "BLOCK"
    UNKNOWN = _UNKNOWN_VALUE


@strawberry.enum
class CustomerClass(Enum):
    RESIDENTIAL = "RESIDENTIAL"
    GENERAL = "GENERAL"
    SPECIAL_USE = "SPECIAL_USE"
    UNKNOWN = _UNKNOWN_VALUE


@strawberry.enum
class IncentiveType(Enum):
    REBATE = "rebate"
    BILL_CREDIT = "billCredit"
    TAX_CREDIT = "taxCredit"
    DISCOUNT = "discount"
    UNKNOWN = _UNKNOWN_VALUE


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


def _cents(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@strawberry.type
class EstimateAssumption:
    code: str
    message: str


@strawberry.type(description="An estimated value, with the caps that bound it and every assumption it rests on.")
class IncentiveEstimate:
    data: strawberry.Private[Estimate]

    @strawberry.field(description="Total over paymentYears after all caps, in USD; null when an input is missing.")
    def amount(self) -> float | None:
        return _cents(self.data.amount)

    @strawberry.field(description="One year's (or the one-time) amount before the total's caps.")
    def yearly_amount(self) -> float | None:
        return _cents(self.data.yearly_amount)

    @strawberry.field
    def uncapped_amount(self) -> float | None:
        return _cents(self.data.uncapped_amount)

    @strawberry.field(description="The quantity the rate multiplied, after quantityKeyCap.")
    def quantity(self) -> float | None:
        return self.data.quantity

    @strawberry.field
    def payment_years(self) -> int:
        return self.data.payment_years

    @strawberry.field(description="Caps that lowered the amount: quantityKeyCap, percentCostCap, paymentCap.")
    def caps_applied(self) -> list[str]:
        return [cap.value for cap in self.data.caps_applied]

    @strawberry.field
    def missing_inputs(self) -> list[str]:
        return list(self.data.missing_inputs)

    @strawberry.field
    def assumptions(self) -> list[EstimateAssumption]:
        return [EstimateAssumption(code=a.name, message=a.value) for a in self.data.assumptions]


def numeric_inputs(inputs: Mapping[str, str]) -> dict[str, float]:
    numbers: dict[str, float] = {}
    for key, value in inputs.items():
        try:
            number = float(value)
        except ValueError:
            continue
        if math.isfinite(number):
            numbers[key] = number
    return numbers


@strawberry.type(description="A solar incentive (Arcadia Solar Incentives API).")
class Incentive(Node):
    record: strawberry.Private[IncentiveRecord]
    inputs: strawberry.Private[Mapping[str, str]]

    def node_key(self) -> tuple[int, ...]:
        # the id Query.incentive(id:) takes; a record without one is read back by its version id
        master = self.record.master_incentive_id
        return (master if master is not None else self.record.incentive_id,)

    raw = raw_field()

    @strawberry.field
    def incentive_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.incentive_id))

    @strawberry.field(description="Tracks one incentive across versions; the id Query.incentive takes.")
    def master_incentive_id(self) -> strawberry.ID | None:
        value = self.record.master_incentive_id
        return strawberry.ID(str(value)) if value is not None else None

    @strawberry.field(description="As Arcadia computed it for the inputs of this search (null outside a search).")
    def eligibility(self) -> Eligibility | None:
        return enum_of(Eligibility, self.record.eligibility)

    @strawberry.field(description="eligibility exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def eligibility_raw(self) -> str | None:
        return self.record.eligibility

    @strawberry.field
    def required_data(self) -> list[Applicability] | None:
        return Applicability.many(self.record.required_data)

    @strawberry.field
    def tariff_code(self) -> str | None:
        return self.record.tariff_code

    @strawberry.field
    def incentive_name(self) -> str | None:
        return self.record.incentive_name

    @strawberry.field
    def project_type(self) -> str | None:
        return self.record.project_type

    @strawberry.field
    def incentive_type(self) -> IncentiveType | None:
        return enum_of(IncentiveType, self.record.incentive_type)

    @strawberry.field(description="incentiveType exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def incentive_type_raw(self) -> str | None:
        return self.record.incentive_type

    @strawberry.field
    def state(self) -> str | None:
        return self.record.state

    @strawberry.field
    def lse_id(self) -> int | None:
        return self.record.lse_id

    @strawberry.field
    def lse_name(self) -> str | None:
        return self.record.lse_name

    @strawberry.field
    def lse_code(self) -> str | None:
        return self.record.lse_code

    @strawberry.field
    def service_type(self) -> str | None:
        return self.record.service_type

    @strawberry.field
    def customer_class(self) -> CustomerClass | None:
        return enum_of(CustomerClass, self.record.customer_class)

    @strawberry.field(description="customerClass exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def customer_class_raw(self) -> str | None:
        return self.record.customer_class

    @strawberry.field
    def start_date(self) -> date | None:
        return self.record.start_date

    @strawberry.field
    def end_date(self) -> date | None:
        return self.record.end_date

    @strawberry.field
    def is_exhausted(self) -> bool | None:
        return self.record.is_exhausted

    @strawberry.field(description="Who offers it (federal, state, utility, ...); decides which taxes a credit hits.")
    def jurisdiction(self) -> str | None:
        return self.record.jurisdiction

    @strawberry.field
    def quantity_key(self) -> PropertyKey | None:
        return PropertyKey.of(self.record.quantity_key)

    @strawberry.field
    def rate(self) -> float | None:
        return self.record.rate

    @strawberry.field
    def rate_unit(self) -> RateUnit | None:
        return enum_of(RateUnit, self.record.rate_unit)

    @strawberry.field(description="rateUnit exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def rate_unit_raw(self) -> str | None:
        return self.record.rate_unit

    @strawberry.field(description="The most of quantityKey that counts, as Arcadia sends it (a string).")
    def quantity_key_cap(self) -> str | None:
        return self.record.quantity_key_cap

    @strawberry.field(description="Maximum amount in USD; 0 or null means no cap.")
    def payment_cap(self) -> float | None:
        return self.record.payment_cap

    @strawberry.field
    def percent_cost_cap_key(self) -> PropertyKey | None:
        return PropertyKey.of(self.record.percent_cost_cap_key)

    @strawberry.field(description="The most of percentCostCapKey's cost the incentive may cover.")
    def percent_cost_cap(self) -> float | None:
        return self.record.percent_cost_cap

    @strawberry.field(description="Years the payment recurs; 1 for a one-time incentive.")
    def payment_duration(self) -> int | None:
        return self.record.payment_duration

    @strawberry.field
    def incentive_paid_to(self) -> str | None:
        return self.record.incentive_paid_to

    @strawberry.field(description="True: only one incentive from this LSE/jurisdiction can be used.")
    def project_type_exclusive(self) -> bool | None:
        return self.record.project_type_exclusive

    @strawberry.field
    def territory_id(self) -> int | None:
        return self.record.territory_id

    @strawberry.field
    def summary(self) -> str | None:
        return self.record.summary

    @strawberry.field
    def requirements(self) -> str | None:
        return self.record.requirements

    @strawberry.field
    def applicabilities(self) -> list[Applicability] | None:
        return Applicability.many(self.record.applicabilities) if self.record.applicabilities is not None else None

    @strawberry.field(description="Links to the incentive's documents (Query.incentive with populateDocuments).")
    def documents(self) -> list[IncentiveDocument] | None:
        docs = self.record.documents
        return (
            None
            if docs is None
            else [IncentiveDocument(id=d.document_id, title=d.document_title, url=d.link) for d in docs]
        )

    @strawberry.field(description="Estimated value for the applicability inputs this incentive was fetched with.")
    def estimate(self) -> IncentiveEstimate:
        return IncentiveEstimate(data=estimate(Terms.of(self.record), numeric_inputs(self.inputs)))


@strawberry.type
class IncentiveDocument:
    id: int | None
    title: str | None
    url: str | None
