"""What an incentive is worth, estimated from its terms and the applicability inputs.

Arcadia does not publish how to calculate a value, so every rule it leaves open is a choice made
here, named by a stable code and returned with the estimate (``assumptions``) so callers can see it:

- ``PERCENT_RATE_IN_PERCENT``: a PERCENTAGE rate is in percent (30 means 30%), as in the seed's examples.
- ``QUANTITY_CAP_IN_KEY_UNITS``: a numeric quantityKeyCap is in the quantity key's own unit (W caps W).
- ``QUANTITY_CAP_FROM_INPUT``: a quantityKeyCap naming a key is capped at that input's value.
- ``QUANTITY_CAP_IGNORED``: a quantityKeyCap that is neither a number nor a supplied input is ignored.
- ``PERCENT_COST_CAP_SCALE``: percentCostCap above 1 is a percent (50 = 50%); at most 1, a fraction.
- ``RECURRING_FLAT``: paymentDuration > 1 repeats the first year's amount each year (no degradation,
  no discounting); caps apply to the total.
- ``BLOCK_IS_FIXED``: a BLOCK rate is a fixed payment (its meaning for incentives is undocumented).
- ``NEGATIVE_AS_ZERO``: a negative rate or quantity counts as zero.

Order: the quantity cap limits the quantity; rate x quantity (or the percentage, or the block) gives
the yearly amount; times paymentDuration gives the total; then percentCostCap (a share of the
percentCostCapKey input) and paymentCap (whole dollars) each limit the total. A cap of 0 or null means
no cap (the seed's uncapped federal credit has ``paymentCap: 0``). An amount is never negative and
never above a cap; when an input a cap needs is missing, no amount is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from gateway.upstream.arcadia.models import IncentiveRecord

__all__ = ["Assumption", "Cap", "Estimate", "Terms", "estimate"]


class Cap(StrEnum):
    QUANTITY_KEY_CAP = "quantityKeyCap"
    PERCENT_COST_CAP = "percentCostCap"
    PAYMENT_CAP = "paymentCap"


class Assumption(StrEnum):
    PERCENT_RATE_IN_PERCENT = "A PERCENTAGE rate is in percent (30 means 30%)."
    QUANTITY_CAP_IN_KEY_UNITS = "A numeric quantityKeyCap is in the quantity key's own unit."
    QUANTITY_CAP_FROM_INPUT = "quantityKeyCap names a key; its input value capped the quantity."
    QUANTITY_CAP_IGNORED = "quantityKeyCap is neither a number nor a supplied input, so it was ignored."
    PERCENT_COST_CAP_SCALE = "percentCostCap above 1 is a percent; at most 1 it is a fraction."
    RECURRING_FLAT = "A recurring payment repeats the first year's amount for paymentDuration years."
    BLOCK_IS_FIXED = "A BLOCK rate is a fixed payment."
    NEGATIVE_AS_ZERO = "A negative rate or quantity counted as zero."


class Terms(NamedTuple):
    rate: float | None
    rate_unit: str | None
    quantity_key: str | None = None
    quantity_key_cap: str | None = None
    percent_cost_cap: float | None = None
    percent_cost_cap_key: str | None = None
    payment_cap: float | None = None
    payment_duration: int | None = None

    @classmethod
    def of(cls, incentive: IncentiveRecord) -> Terms:
        return cls(
            rate=incentive.rate,
            rate_unit=incentive.rate_unit,
            quantity_key=incentive.quantity_key.key_name if incentive.quantity_key else None,
            quantity_key_cap=incentive.quantity_key_cap,
            percent_cost_cap=incentive.percent_cost_cap,
            percent_cost_cap_key=incentive.percent_cost_cap_key.key_name if incentive.percent_cost_cap_key else None,
            payment_cap=incentive.payment_cap,
            payment_duration=incentive.payment_duration,
        )


class Estimate(NamedTuple):
    amount: float | None
    yearly_amount: float | None = None
    uncapped_amount: float | None = None
    quantity: float | None = None
    payment_years: int = 1
    caps_applied: tuple[Cap, ...] = ()
    missing_inputs: tuple[str, ...] = ()
    assumptions: tuple[Assumption, ...] = ()


@dataclass
class _Work:
    assumptions: list[Assumption] = field(default_factory=list)
    caps: list[Cap] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def non_negative(self, value: float) -> float:
        if value < 0:
            self.note(Assumption.NEGATIVE_AS_ZERO)
            return 0.0
        return value

    def note(self, assumption: Assumption) -> None:
        if assumption not in self.assumptions:
            self.assumptions.append(assumption)


def _cap_quantity(terms: Terms, quantity: float, inputs: Mapping[str, float], work: _Work) -> float:
    raw = (terms.quantity_key_cap or "").strip()
    if not raw or raw.lower() in {"none", "null"}:
        return quantity
    try:
        cap = float(raw)
        work.note(Assumption.QUANTITY_CAP_IN_KEY_UNITS)
    except ValueError:
        if raw not in inputs:
            work.note(Assumption.QUANTITY_CAP_IGNORED)
            return quantity
        cap = inputs[raw]
        work.note(Assumption.QUANTITY_CAP_FROM_INPUT)
    if cap > 0 and quantity > cap:
        work.caps.append(Cap.QUANTITY_KEY_CAP)
        return cap
    return quantity


def _yearly(terms: Terms, inputs: Mapping[str, float], work: _Work) -> tuple[float | None, float | None]:
    rate = work.non_negative(terms.rate or 0.0)
    if terms.rate_unit == "BLOCK":
        work.note(Assumption.BLOCK_IS_FIXED)
        return rate, None
    if terms.rate_unit not in {"COST_PER_UNIT", "PERCENTAGE"} or not terms.quantity_key:
        return None, None
    if terms.quantity_key not in inputs:
        work.missing.append(terms.quantity_key)
        return None, None
    quantity = _cap_quantity(terms, work.non_negative(inputs[terms.quantity_key]), inputs, work)
    if terms.rate_unit == "PERCENTAGE":
        work.note(Assumption.PERCENT_RATE_IN_PERCENT)
        return rate / 100 * quantity, quantity
    return rate * quantity, quantity


def _cost_cap(terms: Terms, inputs: Mapping[str, float], work: _Work) -> float | None:
    """The percentCostCap limit in dollars, or None when there is none; raises KeyError when unknown."""
    if not terms.percent_cost_cap or terms.percent_cost_cap <= 0 or not terms.percent_cost_cap_key:
        return None
    work.note(Assumption.PERCENT_COST_CAP_SCALE)
    share = terms.percent_cost_cap / 100 if terms.percent_cost_cap > 1 else terms.percent_cost_cap
    if terms.percent_cost_cap_key not in inputs:
        work.missing.append(terms.percent_cost_cap_key)
        raise KeyError(terms.percent_cost_cap_key)
    return share * work.non_negative(inputs[terms.percent_cost_cap_key])


def estimate(terms: Terms, inputs: Mapping[str, float]) -> Estimate:
    """The estimated value of one incentive for one set of numeric inputs."""
    work = _Work()
    yearly, quantity = _yearly(terms, inputs, work)
    years = max(1, terms.payment_duration or 1)
    if years > 1:
        work.note(Assumption.RECURRING_FLAT)
    total = None if yearly is None else yearly * years
    amount = total
    try:
        limit = _cost_cap(terms, inputs, work)
    except KeyError:
        amount, limit = None, None
    if amount is not None and limit is not None and amount > limit:
        amount = limit
        work.caps.append(Cap.PERCENT_COST_CAP)
    if amount is not None and terms.payment_cap and terms.payment_cap > 0 and amount > terms.payment_cap:
        amount = float(terms.payment_cap)
        work.caps.append(Cap.PAYMENT_CAP)
    return Estimate(
        amount=amount,
        yearly_amount=yearly,
        uncapped_amount=total,
        quantity=quantity,
        payment_years=years,
        caps_applied=tuple(work.caps),
        missing_inputs=tuple(work.missing),
        assumptions=tuple(work.assumptions),
    )
