"""Answers worked out by hand from the seed's definitions, not read back from the code that computes them.

``test_readme_stitched_answer_is_what_the_sandbox_answers`` (test_cli.py) compares the README's answer with
the gateway's, and ``test_gateway_and_upstream_agree_on_every_catalog_incentive`` (test_eligibility.py)
compares the gateway's evaluator with the sandbox's: both sides were written by the same hands, so a
misreading of Arcadia's definitions shared by both would pass them. These numbers come from the Arcadia
seed (../shared/seeds/004_*.txt: ``rate`` with ``rateUnit`` PERCENTAGE or COST_PER_UNIT, ``paymentCap``
"maximum dollar amount", and the 110%-of-consumption formula), applied by hand to project 3024's inputs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Gateway

pytestmark = pytest.mark.integration

QUERY = """{ org { project(id: "3024") {
  incentives(effectiveOn: "2026-11-21", inputs: [{key: "incomeQualified", value: "false"}]) {
    systems {
      inputs { key value }
      totals { eligibility amount incentiveCount }
      incentives { incentive { incentiveName } eligibility estimate { amount capsApplied } }
    } } } } }"""

SYSTEM_COST = 26387.26  # project 3024's one system, priceIncludingTax (an input: systemCost)
SYSTEM_SIZE_W = 10_000  # 10.0 kW STC (an input: systemSizeDcW)

# incentive -> (eligibility, amount, caps applied), each amount by hand:
EXPECTED: dict[str, tuple[str, float, list[str]]] = {
    # PERCENTAGE, rate 30, no cap: 30% x 26,387.26 = 7,916.178
    "Residential Clean Energy Credit": ("ELIGIBLE", 7916.18, []),
    # PERCENTAGE, rate 25: 25% x 26,387.26 = 6,596.815, over the 5,000 paymentCap
    "Residential Solar Energy System Equipment Tax Credit": ("ELIGIBLE", 5000.0, ["paymentCap"]),
    # COST_PER_UNIT, $0.10/W x 10,000 W = 1,000; no cap
    "Con Edison Solar Rebate": ("ELIGIBLE", 1000.0, []),
    # COST_PER_UNIT, $0.20/W x 10,000 W = 2,000 (under its 5,000 cap); ineligible: first-year 13,519 kWh is
    # not < 110% x 6,380 kWh = 7,018 kWh
    "NY-Sun Residential Incentive": ("INELIGIBLE", 2000.0, []),
    # COST_PER_UNIT, $0.30/W x 10,000 W = 3,000, over the 2,500 paymentCap; the caller said not income-qualified
    "Con Edison Income-Qualified Solar Adder": ("INELIGIBLE", 2500.0, ["paymentCap"]),
}


async def answer(gateway: Gateway) -> dict[str, Any]:
    result = await gateway.query(QUERY)
    assert "errors" not in result, result
    (system,) = result["data"]["org"]["project"]["incentives"]["systems"]
    return dict(system)


async def test_the_inputs_are_the_ones_the_hand_computation_used(gateway: Gateway) -> None:
    inputs = {i["key"]: i["value"] for i in (await answer(gateway))["inputs"]}
    assert float(inputs["systemCost"]) == SYSTEM_COST and int(inputs["systemSizeDcW"]) == SYSTEM_SIZE_W
    assert (inputs["estimatedFirstYearkWh"], inputs["annualConsumption"]) == ("13519", "6380")
    assert 13519 >= 1.1 * 6380  # so the 110%-of-consumption rule fails


async def test_each_estimate_matches_the_hand_computed_amount(gateway: Gateway) -> None:
    got = {
        item["incentive"]["incentiveName"]: (
            item["eligibility"],
            item["estimate"]["amount"],
            item["estimate"]["capsApplied"],
        )
        for item in (await answer(gateway))["incentives"]
    }
    assert got == EXPECTED


async def test_the_totals_match_the_hand_computed_sums(gateway: Gateway) -> None:
    totals = {t["eligibility"]: (t["amount"], t["incentiveCount"]) for t in (await answer(gateway))["totals"]}
    assert totals["ELIGIBLE"] == (round(7916.18 + 5000 + 1000, 2), 3)  # 13,916.18
    assert totals["INELIGIBLE"] == (2000 + 2500, 2)  # 4,500
