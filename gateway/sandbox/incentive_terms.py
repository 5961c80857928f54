"""The terms the sandbox's incentive catalogue is written in: property keys, LSEs and applicability shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FEDERAL_LSE",
    "FORMULAS",
    "ORIENTATION",
    "OWNED_BY_HOST",
    "PROPERTY_KEYS",
    "SIZE_LIMIT_110",
    "STATE_LSES",
    "ZIP_LSES",
    "Incentive",
    "choice_of",
    "formula_of",
    "range_of",
    "required_value",
]

# property key -> (displayName, description, quantityUnit, dataType, default value for "most people")
PROPERTY_KEYS: dict[str, tuple[str, str, str | None, str, str | None]] = {
    "systemCost": ("System Cost", "Cost of the solar system in USD.", "USD", "DECIMAL", None),
    "systemSizeDcW": ("System Size DC W", "Size of the solar system in Watts DC", "W", "DECIMAL", "6000"),
    "systemSizeAcW": ("System Size AC W", "Size of the solar system in Watts AC", "W", "DECIMAL", "5000"),
    "estimatedFirstYearkWh": (
        "Estimated First Year kWh",
        "Expected production in the first year",
        "kWh",
        "DECIMAL",
        "8000",
    ),
    "annualConsumption": (
        "Annual Consumption",
        "The customer's electricity use over the last 12 months",
        "kWh",
        "DECIMAL",
        "9000",
    ),
    "tilt": ("Tilt", "Tilt of the panels in degrees from horizontal", "degrees", "DECIMAL", "20"),
    "azimuth": ("Azimuth", "Compass direction the panels face, in degrees", "degrees", "DECIMAL", "180"),
    "systemOwnership": (
        "System Ownership",
        "If incentive requires the system to be owned by the Host or Third Party to qualify.",
        None,
        "CHOICE",
        "host",
    ),
    "completedSolarEducation": (
        "Completed Solar Education",
        "Customer completed the utility's solar course",
        None,
        "BOOLEAN",
        "false",
    ),
    "incomeQualified": (
        "Income Qualified",
        "Household income at or below 80% of area median",
        None,
        "BOOLEAN",
        "false",
    ),
}

# formula key -> (multiplier, the input key it multiplies)
FORMULAS: dict[str, tuple[float, str]] = {"110percentAnnualConsumption": (1.1, "annualConsumption")}

OWNERSHIP_CHOICES = (("Host", "host", 0.7), ("Third Party", "thirdParty", 0.3))

# ZIP -> (state, utility lseId, utility name)
ZIP_LSES: dict[str, tuple[str, int, str]] = {
    "94105": ("CA", 734, "Pacific Gas & Electric Co"),
    "95448": ("CA", 734, "Pacific Gas & Electric Co"),
    "92101": ("CA", 1129, "San Diego Gas & Electric Co"),
    "11215": ("NY", 2252, "Consolidated Edison Co-NY Inc"),
    "12203": ("NY", 2253, "Niagara Mohawk Power Corp (National Grid)"),
    "07030": ("NJ", 2460, "Public Service Elec & Gas Co"),
    "02139": ("MA", 2468, "NSTAR Electric Company (Eversource)"),
    "85004": ("AZ", 2520, "Arizona Public Service Co"),
    "80202": ("CO", 2700, "Public Service Co of Colorado (Xcel)"),
    "78701": ("TX", 2800, "Austin Energy"),
}
STATE_LSES: dict[str, tuple[int, str]] = {
    "CA": (100281, "State of California Incentives"),
    "NY": (100287, "State of New York Incentives"),
    "NJ": (100290, "State of New Jersey Incentives"),
    "MA": (100293, "Commonwealth of Massachusetts Incentives"),
    "AZ": (100296, "State of Arizona Incentives"),
    "CO": (100299, "State of Colorado Incentives"),
    "TX": (100302, "State of Texas Incentives"),
}
FEDERAL_LSE = (100000, "Federal Incentives")


@dataclass(frozen=True, slots=True)
class Incentive:
    id: int
    name: str
    incentive_type: str
    jurisdiction: str
    lse: tuple[int, str]
    lse_code: str
    rate: float
    rate_unit: str
    quantity_key: str | None
    applicabilities: tuple[dict[str, Any], ...] = ()
    state: str | None = None
    zips: tuple[str, ...] | None = None  # None: every ZIP of `state` (or the country, when federal)
    quantity_key_cap: str | None = None
    payment_cap: int = 0
    percent_cost_cap: float | None = None
    percent_cost_cap_key: str | None = None
    payment_duration: int = 1
    paid_to: str = "tenantOrOwner"
    exclusive: bool = False
    customer_class: str = "RESIDENTIAL"
    start: str = "2020-01-01"
    end: str | None = None
    exhausted: bool = False
    summary: str = ""
    requirements: str = ""
    documents: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def range_of(key: str, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    return {"applicabilityKey": key, "minValue": lo, "maxValue": hi}


def required_value(key: str, value: str) -> dict[str, Any]:
    return {"applicabilityKey": key, "requiredValue": value}


def choice_of(key: str, choices: tuple[tuple[str, str, float], ...]) -> dict[str, Any]:
    return {
        "applicabilityKey": key,
        "choices": [{"displayValue": d, "value": v, "dataValue": v, "likelihood": lk} for d, v, lk in choices],
    }


def formula_of(key: str, operator: str, quantity_key: str) -> dict[str, Any]:
    return {"applicabilityKey": key, "operator": operator, "quantityKey": quantity_key}


OWNED_BY_HOST = {**choice_of("systemOwnership", OWNERSHIP_CHOICES), "requiredValue": "host"}
SIZE_LIMIT_110 = formula_of("estimatedFirstYearkWh", "<=", "110percentAnnualConsumption")
ORIENTATION = (range_of("tilt", 0, 60), range_of("azimuth", 90, 270))
