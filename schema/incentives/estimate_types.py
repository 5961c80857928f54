"""An incentive's estimated value as a GraphQL type, and the numeric applicability inputs it is computed from."""

from __future__ import annotations

import math
from collections.abc import Mapping

import strawberry

from schema.incentives.estimate import Estimate

__all__ = ["EstimateAssumption", "IncentiveEstimate", "numeric_inputs"]


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
