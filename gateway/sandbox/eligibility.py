"""Eligibility exactly as Arcadia's Solar Incentives reference states it.

"If an incentive has any applicabilities that the user has not supplied any values for and none of
the already-supplied applicabilities make the user INELIGIBLE, eligibility will be set to
COULD_BE_ELIGIBLE and requiredData will be populated with the additional information that is
required." Any supplied value that fails makes it INELIGIBLE; with every value supplied and passing
it is ELIGIBLE. Formula applicabilities (``operator`` + ``quantityKey``) compare the input with a
formula of other inputs (``110percentAnnualConsumption`` = 1.1 x ``annualConsumption``); a missing
formula input goes into ``requiredData`` as the applicability for that input.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from gateway.sandbox.incentive_catalog import FORMULAS, PROPERTY_KEYS

__all__ = ["applicability_json", "evaluate"]

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}


def applicability_json(spec: Mapping[str, Any]) -> dict[str, Any]:
    key = spec["applicabilityKey"]
    display, description, unit, _, _ = PROPERTY_KEYS[key]
    out: dict[str, Any] = {"applicabilityKey": key, "displayName": display, "description": description}
    if unit:
        out["quantityUnit"] = unit
    for name in ("requiredValue", "minValue", "maxValue", "operator", "quantityKey", "choices"):
        if spec.get(name) is not None:
            out[name] = spec[name]
    return out


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _passes(spec: Mapping[str, Any], value: str) -> bool:
    if spec.get("requiredValue") is not None:
        return value.strip().lower() == str(spec["requiredValue"]).lower()
    if spec.get("choices"):
        return value in {c["dataValue"] for c in spec["choices"]}
    if spec.get("minValue") is not None or spec.get("maxValue") is not None:
        number = _number(value)
        if number is None:
            return False
        return (spec.get("minValue") is None or number >= spec["minValue"]) and (
            spec.get("maxValue") is None or number <= spec["maxValue"]
        )
    return True


def evaluate(applicabilities: tuple[Mapping[str, Any], ...], inputs: Mapping[str, str]) -> tuple[str, list[Any]]:
    """(eligibility, requiredData) for one incentive and the caller's applicability inputs."""
    failed = False
    required: list[dict[str, Any]] = []
    for spec in applicabilities:
        key = spec["applicabilityKey"]
        value = inputs.get(key)
        if value is None:
            required.append(applicability_json(spec))
            continue
        if spec.get("operator"):
            multiplier, base_key = FORMULAS[spec["quantityKey"]]
            base = inputs.get(base_key)
            if base is None:
                required.append(applicability_json({"applicabilityKey": base_key}))
                continue
            left, right = _number(value), _number(base)
            if left is None or right is None or not OPERATORS[spec["operator"]](left, multiplier * right):
                failed = True
        elif not _passes(spec, value):
            failed = True
    if failed:
        return "INELIGIBLE", []
    if required:
        return "COULD_BE_ELIGIBLE", required
    return "ELIGIBLE", []
