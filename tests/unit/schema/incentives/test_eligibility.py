"""The gateway's evaluator against the seed's statements, and against the sandbox's own (upstream) one."""

from __future__ import annotations

import random

import pytest

from gateway.sandbox.arcadia_routes import incentive_json
from gateway.sandbox.eligibility import evaluate as upstream_evaluate
from gateway.sandbox.incentive_catalog import INCENTIVES
from gateway.upstream.arcadia.models import ApplicabilityRecord, IncentiveRecord
from schema.incentives.eligibility import evaluate, formula_value


def spec(**fields: object) -> ApplicabilityRecord:
    return ApplicabilityRecord.model_validate(fields)


RANGE = spec(applicabilityKey="tilt", minValue=0, maxValue=60)
REQUIRED = spec(applicabilityKey="systemOwnership", requiredValue="host")
CHOICE = spec(applicabilityKey="systemOwnership", choices=[{"dataValue": "host"}, {"dataValue": "thirdParty"}])
FORMULA = spec(applicabilityKey="estimatedFirstYearkWh", operator="<", quantityKey="110percentAnnualConsumption")


@pytest.mark.parametrize(
    ("specs", "inputs", "eligibility", "required"),
    [
        ([RANGE], {"tilt": "25"}, "ELIGIBLE", []),
        ([RANGE], {"tilt": "61"}, "INELIGIBLE", []),
        ([RANGE], {"tilt": "steep"}, "INELIGIBLE", []),
        ([RANGE, REQUIRED], {"tilt": "25"}, "COULD_BE_ELIGIBLE", ["systemOwnership"]),
        ([RANGE, REQUIRED], {"tilt": "99"}, "INELIGIBLE", []),  # a failure beats anything missing
        ([REQUIRED], {"systemOwnership": "HOST"}, "ELIGIBLE", []),
        ([CHOICE], {"systemOwnership": "thirdParty"}, "ELIGIBLE", []),
        ([CHOICE], {"systemOwnership": "landlord"}, "INELIGIBLE", []),
        ([FORMULA], {"estimatedFirstYearkWh": "9000", "annualConsumption": "9000"}, "ELIGIBLE", []),
        ([FORMULA], {"estimatedFirstYearkWh": "9900", "annualConsumption": "9000"}, "INELIGIBLE", []),
        ([FORMULA], {"estimatedFirstYearkWh": "9000"}, "COULD_BE_ELIGIBLE", ["annualConsumption"]),
        ([FORMULA], {"estimatedFirstYearkWh": "9000", "annualConsumption": "lots"}, "INELIGIBLE", []),
        ([FORMULA], {}, "COULD_BE_ELIGIBLE", ["estimatedFirstYearkWh"]),
        (
            [spec(applicabilityKey="k", operator="<", quantityKey="mysteryFormula")],
            {"k": "1"},
            "COULD_BE_ELIGIBLE",
            ["k"],
        ),
        ([], {}, "ELIGIBLE", []),
    ],
)
def test_seed_rules(
    specs: list[ApplicabilityRecord], inputs: dict[str, str], eligibility: str, required: list[str]
) -> None:
    outcome = evaluate(specs, inputs)
    assert outcome.eligibility == eligibility
    assert [r.applicability_key for r in outcome.required] == required


def test_formula_values() -> None:
    assert formula_value("110percentAnnualConsumption", {"annualConsumption": "1000"}) == (1100.0, "annualConsumption")
    assert formula_value("110percentAnnualConsumption", {}) == (None, "annualConsumption")
    assert formula_value("sqrtOfSomething", {}) == (None, None)


def random_inputs(rng: random.Random) -> dict[str, str]:
    pools = {
        "tilt": ["0", "20", "45", "61", "90", "flat"],
        "azimuth": ["90", "180", "270", "300"],
        "systemOwnership": ["host", "thirdParty", "HOST", "other"],
        "estimatedFirstYearkWh": ["4000", "9000", "12000"],
        "annualConsumption": ["5000", "9000", "x"],
        "systemSizeDcW": ["5000", "25000", "30000"],
        "systemSizeAcW": ["4000", "26000"],
        "completedSolarEducation": ["true", "false", "TRUE"],
        "incomeQualified": ["true", "false"],
    }
    return {key: rng.choice(values) for key, values in pools.items() if rng.random() < 0.6}


def test_gateway_and_upstream_agree_on_every_catalog_incentive() -> None:
    # Code against code from the same hands: a shared misreading of Arcadia's rules passes this. The
    # hand-worked expectations are test_seed_rules above and tests/integration/test_hand_computed.py.
    rng = random.Random(2026)
    for _ in range(400):
        inputs = random_inputs(rng)
        for item in INCENTIVES:
            record = IncentiveRecord.model_validate(incentive_json(item))
            ours = evaluate(record.applicabilities or [], inputs)
            theirs, required = upstream_evaluate(item.applicabilities, inputs)
            assert ours.eligibility == theirs, (item.name, inputs)
            assert [r.applicability_key for r in ours.required] == [r["applicabilityKey"] for r in required]
