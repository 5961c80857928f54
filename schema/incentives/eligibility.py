"""Eligibility evaluated by the gateway from an incentive's applicabilities, by the seed's rules.

Arcadia's rule (seed 004): any supplied value that fails an applicability makes the incentive
INELIGIBLE; otherwise any applicability without a value makes it COULD_BE_ELIGIBLE, listing what is
missing in requiredData; otherwise it is ELIGIBLE. Customers must meet all applicabilities.

The stitch evaluates locally so that one Arcadia search per ZIP serves every project and system
in it (sending each system's inputs upstream would cost one search per system). Formula keys of
the form ``<N>percent<Key>`` (``110percentAnnualConsumption``) are read as N% of the ``<key>``
input; a formula the gateway cannot read leaves the applicability in requiredData.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gateway.upstream.arcadia.models import ApplicabilityRecord

__all__ = ["Outcome", "evaluate", "formula_value"]

_FORMULA = re.compile(r"^(?P<pct>\d+(?:\.\d+)?)percent(?P<key>[A-Za-z]\w*)$")
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    eligibility: str
    required: list[ApplicabilityRecord] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def formula_value(formula: str, inputs: Mapping[str, str]) -> tuple[float | None, str | None]:
    """(value, the input it needs). ``(None, None)`` when the formula is not one the gateway reads."""
    match = _FORMULA.match(formula)
    if not match:
        return None, None
    key = match.group("key")[0].lower() + match.group("key")[1:]
    base = _float(inputs.get(key))
    return (None if base is None else float(match.group("pct")) / 100 * base), key


def _passes(spec: ApplicabilityRecord, value: str) -> bool:
    if spec.required_value is not None:
        return value.strip().lower() == spec.required_value.strip().lower()
    if spec.choices:
        return value in {c.data_value for c in spec.choices} | {c.value for c in spec.choices}
    if spec.min_value is not None or spec.max_value is not None:
        number = _float(value)
        return (
            number is not None
            and (spec.min_value is None or number >= spec.min_value)
            and (spec.max_value is None or number <= spec.max_value)
        )
    return True


def _needed(key: str, formula: str) -> ApplicabilityRecord:
    return ApplicabilityRecord.model_validate(
        {
            "applicabilityKey": key,
            "displayName": key,
            "description": f"Needed to evaluate the formula {formula}.",
        }
    )


def evaluate(applicabilities: list[ApplicabilityRecord], inputs: Mapping[str, str]) -> Outcome:
    required: list[ApplicabilityRecord] = []
    failed: list[str] = []
    for spec in applicabilities:
        value = inputs.get(spec.applicability_key)
        if value is None:
            required.append(spec)
        elif spec.operator and spec.quantity_key:
            limit, base_key = formula_value(spec.quantity_key, inputs)
            compare, left = _COMPARE.get(spec.operator), _float(value)
            if base_key is None or compare is None:
                required.append(spec)  # a formula or operator we cannot read: cannot be settled here
            elif base_key not in inputs:
                required.append(_needed(base_key, spec.quantity_key))
            elif left is None or limit is None or not compare(left, limit):
                failed.append(spec.applicability_key)  # a supplied value that is not a number fails
        elif not _passes(spec, value):
            failed.append(spec.applicability_key)
    if failed:
        return Outcome("INELIGIBLE", [], failed)
    return Outcome("COULD_BE_ELIGIBLE", required) if required else Outcome("ELIGIBLE")
