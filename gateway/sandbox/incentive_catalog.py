"""The simulated Arcadia incentive catalogue: LSEs, property keys and incentives for the sandbox ZIPs.

It covers every applicability kind (range, required value, choice, formula), every rate unit
(COST_PER_UNIT, PERCENTAGE, BLOCK), every cap (quantityKeyCap, percentCostCap, paymentCap), recurring
payments, project-type-exclusive pairs, exhausted and expired incentives, and a non-residential one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FORMULAS", "INCENTIVES", "PROPERTY_KEYS", "ZIP_LSES", "Incentive"]

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


def _range(key: str, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    return {"applicabilityKey": key, "minValue": lo, "maxValue": hi}


def _required(key: str, value: str) -> dict[str, Any]:
    return {"applicabilityKey": key, "requiredValue": value}


def _choice(key: str, choices: tuple[tuple[str, str, float], ...]) -> dict[str, Any]:
    return {
        "applicabilityKey": key,
        "choices": [{"displayValue": d, "value": v, "dataValue": v, "likelihood": lk} for d, v, lk in choices],
    }


def _formula(key: str, operator: str, quantity_key: str) -> dict[str, Any]:
    return {"applicabilityKey": key, "operator": operator, "quantityKey": quantity_key}


OWNED_BY_HOST = {**_choice("systemOwnership", OWNERSHIP_CHOICES), "requiredValue": "host"}
SIZE_LIMIT_110 = _formula("estimatedFirstYearkWh", "<=", "110percentAnnualConsumption")
ORIENTATION = (_range("tilt", 0, 60), _range("azimuth", 90, 270))

INCENTIVES: tuple[Incentive, ...] = (
    Incentive(
        3158839,
        "Residential Clean Energy Credit",
        "taxCredit",
        "federal",
        FEDERAL_LSE,
        "FED",
        30,
        "PERCENTAGE",
        "systemCost",
        (OWNED_BY_HOST,),
        summary="A federal income tax credit of 30% of qualified expenditures on a residential system.",
        requirements="The system serves a dwelling owned and used as a residence by the taxpayer.",
        documents=(
            {
                "documentId": 501,
                "documentTitle": "26 USC 25D",
                "documentUrl": "https://www.law.cornell.edu/uscode/text/26/25D",
            },
        ),
    ),
    Incentive(
        3158840,
        "Business Energy Investment Tax Credit",
        "taxCredit",
        "federal",
        FEDERAL_LSE,
        "FED",
        30,
        "PERCENTAGE",
        "systemCost",
        customer_class="GENERAL",
        summary="Investment tax credit for commercial solar.",
    ),
    Incentive(
        3163702,
        "Residential Solar Energy System Equipment Tax Credit",
        "taxCredit",
        "state",
        STATE_LSES["NY"],
        "NYS",
        25,
        "PERCENTAGE",
        "systemCost",
        (_range("systemSizeDcW", None, 25000),),
        state="NY",
        payment_cap=5000,
        summary="25% of the cost of equipment and installation, capped at $5,000.",
        requirements="Systems must comply with the 25 kW capacity limit on residential.",
    ),
    Incentive(
        3302404,
        "NY-Sun Residential Incentive",
        "rebate",
        "state",
        STATE_LSES["NY"],
        "NYSERDA",
        0.20,
        "COST_PER_UNIT",
        "systemSizeDcW",
        (*ORIENTATION, SIZE_LIMIT_110, OWNED_BY_HOST),
        state="NY",
        quantity_key_cap="25000",
        payment_cap=5000,
        exclusive=True,
        summary="Per-watt rebate for residential PV.",
        requirements="Installed by an eligible contractor.",
    ),
    Incentive(
        3302405,
        "NY-Sun Residential Incentive (Block 1)",
        "rebate",
        "state",
        STATE_LSES["NY"],
        "NYSERDA",
        0.40,
        "COST_PER_UNIT",
        "systemSizeDcW",
        ORIENTATION,
        state="NY",
        quantity_key_cap="25000",
        exclusive=True,
        exhausted=True,
        start="2016-01-01",
        summary="First block; funds exhausted.",
    ),
    Incentive(
        3302406,
        "Con Edison Income-Qualified Solar Adder",
        "rebate",
        "utility",
        (2252, ZIP_LSES["11215"][2]),
        "CONED",
        0.30,
        "COST_PER_UNIT",
        "systemSizeDcW",
        (_required("incomeQualified", "true"),),
        state="NY",
        zips=("11215",),
        quantity_key_cap="10000",
        payment_cap=2500,
        exclusive=True,
        summary="Additional per-watt rebate for income-qualified households.",
    ),
    Incentive(
        3302407,
        "Con Edison Solar Rebate",
        "rebate",
        "utility",
        (2252, ZIP_LSES["11215"][2]),
        "CONED",
        0.10,
        "COST_PER_UNIT",
        "systemSizeDcW",
        ORIENTATION,
        state="NY",
        zips=("11215",),
        quantity_key_cap="10000",
        exclusive=True,
        summary="Per-watt rebate for Con Edison customers.",
    ),
    Incentive(
        3170001,
        "PG&E Solar Rebate (closed)",
        "rebate",
        "utility",
        (734, ZIP_LSES["94105"][2]),
        "PGE",
        1.10,
        "COST_PER_UNIT",
        "systemSizeAcW",
        ORIENTATION,
        state="CA",
        zips=("94105", "95448"),
        start="2010-01-01",
        end="2016-12-31",
        summary="California Solar Initiative rebate; closed.",
    ),
    Incentive(
        3170002,
        "Sonoma Clean Power ProFIT",
        "billCredit",
        "utility",
        (734, ZIP_LSES["95448"][2]),
        "SCP",
        0.06,
        "COST_PER_UNIT",
        "estimatedFirstYearkWh",
        (SIZE_LIMIT_110,),
        state="CA",
        zips=("95448",),
        payment_duration=5,
        payment_cap=2000,
        summary="Bill credit per kWh produced for five years.",
    ),
    Incentive(
        3170003,
        "SDG&E Performance Based Incentive",
        "billCredit",
        "utility",
        (1129, ZIP_LSES["92101"][2]),
        "SDGE",
        0.05,
        "COST_PER_UNIT",
        "estimatedFirstYearkWh",
        (OWNED_BY_HOST, _range("tilt", 5, 45)),
        state="CA",
        zips=("92101",),
        payment_duration=5,
        payment_cap=3000,
        summary="Five years of per-kWh bill credits.",
    ),
    Incentive(
        3175001,
        "Successor Solar Incentive (SuSI)",
        "billCredit",
        "state",
        STATE_LSES["NJ"],
        "NJBPU",
        0.085,
        "COST_PER_UNIT",
        "estimatedFirstYearkWh",
        (SIZE_LIMIT_110,),
        state="NJ",
        payment_duration=15,
        summary="Per-kWh SREC-II credits for 15 years.",
    ),
    Incentive(
        3176001,
        "Residential Renewable Energy Income Tax Credit",
        "taxCredit",
        "state",
        STATE_LSES["MA"],
        "MADOR",
        15,
        "PERCENTAGE",
        "systemCost",
        state="MA",
        payment_cap=1000,
        summary="15% of net expenditures, capped at $1,000.",
    ),
    Incentive(
        3176002,
        "SMART Program",
        "billCredit",
        "state",
        STATE_LSES["MA"],
        "MADOER",
        0.12,
        "COST_PER_UNIT",
        "estimatedFirstYearkWh",
        (OWNED_BY_HOST, _range("systemSizeAcW", None, 25000)),
        state="MA",
        payment_duration=10,
        summary="Solar Massachusetts Renewable Target tariff payments.",
    ),
    Incentive(
        3177001,
        "Residential Solar Energy Credit",
        "taxCredit",
        "state",
        STATE_LSES["AZ"],
        "AZDOR",
        25,
        "PERCENTAGE",
        "systemCost",
        state="AZ",
        payment_cap=1000,
        summary="25% of cost, up to $1,000.",
    ),
    Incentive(
        3178001,
        "Xcel Solar*Rewards",
        "rebate",
        "utility",
        (2700, ZIP_LSES["80202"][2]),
        "XCEL",
        0.50,
        "COST_PER_UNIT",
        "systemSizeAcW",
        (*ORIENTATION, OWNED_BY_HOST),
        state="CO",
        zips=("80202",),
        quantity_key_cap="10000",
        percent_cost_cap=50,
        percent_cost_cap_key="systemCost",
        payment_cap=4000,
        exclusive=True,
        summary="Per-watt-AC rebate, capped at half the system cost and $4,000.",
    ),
    Incentive(
        3178002,
        "Xcel Solar*Rewards Income Qualified",
        "rebate",
        "utility",
        (2700, ZIP_LSES["80202"][2]),
        "XCEL",
        2.0,
        "COST_PER_UNIT",
        "systemSizeAcW",
        (_required("incomeQualified", "true"),),
        state="CO",
        zips=("80202",),
        quantity_key_cap="7000",
        percent_cost_cap=75,
        percent_cost_cap_key="systemCost",
        exclusive=True,
        summary="Higher per-watt-AC rebate for income-qualified households.",
    ),
    Incentive(
        3179001,
        "Austin Energy Solar Education Rebate",
        "rebate",
        "utility",
        (2800, ZIP_LSES["78701"][2]),
        "AE",
        2500,
        "BLOCK",
        None,
        (_required("completedSolarEducation", "true"), OWNED_BY_HOST),
        state="TX",
        zips=("78701",),
        exclusive=True,
        summary="A fixed $2,500 rebate after the solar course.",
    ),
    Incentive(
        3179002,
        "Austin Energy Value of Solar",
        "billCredit",
        "utility",
        (2800, ZIP_LSES["78701"][2]),
        "AE",
        0.097,
        "COST_PER_UNIT",
        "estimatedFirstYearkWh",
        (SIZE_LIMIT_110,),
        state="TX",
        zips=("78701",),
        exclusive=True,
        summary="Bill credit per kWh produced, first year.",
    ),
    Incentive(
        3179003,
        "Colorado Sales and Use Tax Exemption",
        "discount",
        "state",
        STATE_LSES["CO"],
        "CODOR",
        2.9,
        "PERCENTAGE",
        "systemCost",
        state="CO",
        summary="State sales tax exemption on solar equipment.",
    ),
)
