from __future__ import annotations

from typing import Any

from gateway.upstream.arcadia.models import IncentiveRecord
from gateway.upstream.opensolar.models import ModuleGroupRecord
from schema.incentives.inputs import InputSource, ProjectFacts, SystemFacts, derive_inputs, keys_referenced
from schema.incentives.totals import Scored, totals


def incentive(incentive_id: int, lse: int, exclusive: bool, **extra: Any) -> IncentiveRecord:
    return IncentiveRecord.model_validate(
        {
            "incentiveId": incentive_id,
            "lseId": lse,
            "jurisdiction": "utility",
            "projectTypeExclusive": exclusive,
            **extra,
        }
    )


def test_exclusive_incentives_count_only_the_best_per_lse_and_jurisdiction() -> None:
    items = [
        Scored(incentive(1, 10, True), "ELIGIBLE", 500.0),
        Scored(incentive(2, 10, True), "ELIGIBLE", 900.0),  # best of LSE 10
        Scored(incentive(3, 10, True), "COULD_BE_ELIGIBLE", 700.0),  # its own eligibility bucket
        Scored(incentive(4, 20, True), "ELIGIBLE", None),  # alone in its group: counted, unestimated
        Scored(incentive(5, 10, False), "ELIGIBLE", 100.0),  # not exclusive: always counted
    ]
    sums, counted = totals(items)
    assert counted == {2, 3, 4, 5}
    by = {t.eligibility: t for t in sums}
    assert (by["ELIGIBLE"].amount, by["ELIGIBLE"].incentive_count, by["ELIGIBLE"].unestimated_count) == (1000, 3, 1)
    assert by["COULD_BE_ELIGIBLE"].amount == 700 and [t.eligibility for t in sums] == ["ELIGIBLE", "COULD_BE_ELIGIBLE"]


def test_ties_go_to_the_lower_id() -> None:
    _, counted = totals(
        [Scored(incentive(9, 1, True), "ELIGIBLE", 5.0), Scored(incentive(8, 1, True), "ELIGIBLE", 5.0)]
    )
    assert counted == {8}


def test_derived_inputs_and_their_sources() -> None:
    groups = (
        ModuleGroupRecord(module_quantity=4, azimuth=90, slope=10),
        ModuleGroupRecord(module_quantity=14, azimuth=180, slope=22.5),
    )
    used = derive_inputs(
        ProjectFacts("11215", "NY", 7300),
        SystemFacts(6.21, 9980.0, 8547, groups, 5000.0),
        {"systemOwnership": "thirdParty", "tilt": "30"},
    )
    by = {u.key: u for u in used}
    assert by["systemSizeDcW"].value == "6210" and by["systemSizeDcW"].source is InputSource.SYSTEM
    assert by["systemSizeAcW"].value == "5000" and by["systemSizeAcW"].source is InputSource.DESIGN
    assert by["azimuth"].value == "180" and by["azimuth"].source is InputSource.SYSTEM_DETAILS  # the largest group
    assert by["tilt"].value == "30" and by["tilt"].source is InputSource.CALLER  # the caller wins
    assert by["systemOwnership"].value == "thirdParty" and by["systemOwnership"].source is InputSource.CALLER
    assert (by["zipCode"].value, by["state"].value, by["annualConsumption"].value) == ("11215", "NY", "7300")
    assert by["systemCost"].value == "9980" and by["estimatedFirstYearkWh"].value == "8547"


def test_unknown_facts_are_left_out_and_ownership_defaults_to_host() -> None:
    used = derive_inputs(ProjectFacts(None, None, None), SystemFacts(None, None, None), {})
    assert [(u.key, u.value, u.source) for u in used] == [("systemOwnership", "host", InputSource.DEFAULT)]


def test_keys_referenced() -> None:
    record = IncentiveRecord.model_validate(
        {
            "incentiveId": 1,
            "quantityKey": {"keyName": "systemSizeAcW"},
            "percentCostCapKey": {"keyName": "systemCost"},
            "applicabilities": [
                {
                    "applicabilityKey": "estimatedFirstYearkWh",
                    "operator": "<=",
                    "quantityKey": "110percentAnnualConsumption",
                },
                {"applicabilityKey": "tilt"},
            ],
        }
    )
    assert keys_referenced([record]) == {
        "systemSizeAcW",
        "systemCost",
        "estimatedFirstYearkWh",
        "annualConsumption",
        "tilt",
    }
