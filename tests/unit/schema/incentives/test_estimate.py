from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schema.incentives.estimate import Assumption, Cap, Terms, estimate


def test_cost_per_unit_with_quantity_and_payment_caps() -> None:
    terms = Terms(
        rate=0.40, rate_unit="COST_PER_UNIT", quantity_key="systemSizeDcW", quantity_key_cap="25000", payment_cap=8000
    )
    assert estimate(terms, {"systemSizeDcW": 3000}).amount == pytest.approx(1200)
    capped = estimate(terms, {"systemSizeDcW": 30000})
    assert capped.quantity == 25000 and capped.uncapped_amount == pytest.approx(10000)
    assert capped.amount == 8000 and capped.caps_applied == (Cap.QUANTITY_KEY_CAP, Cap.PAYMENT_CAP)


def test_percentage_is_in_percent() -> None:
    result = estimate(
        Terms(rate=30, rate_unit="PERCENTAGE", quantity_key="systemCost", payment_cap=0), {"systemCost": 20000}
    )
    assert result.amount == pytest.approx(6000)
    assert Assumption.PERCENT_RATE_IN_PERCENT in result.assumptions and not result.caps_applied


def test_percent_cost_cap_in_percent_and_fraction() -> None:
    base = {"systemSizeAcW": 10000, "systemCost": 6000}
    for cap in (50, 0.5):
        terms = Terms(
            rate=0.5,
            rate_unit="COST_PER_UNIT",
            quantity_key="systemSizeAcW",
            percent_cost_cap=cap,
            percent_cost_cap_key="systemCost",
        )
        result = estimate(terms, base)
        assert result.amount == pytest.approx(3000) and result.caps_applied == (Cap.PERCENT_COST_CAP,)
    missing = estimate(
        Terms(
            rate=1, rate_unit="COST_PER_UNIT", quantity_key="q", percent_cost_cap=50, percent_cost_cap_key="systemCost"
        ),
        {"q": 10},
    )
    assert missing.amount is None and missing.missing_inputs == ("systemCost",)


def test_recurring_payments_and_block() -> None:
    recurring = estimate(
        Terms(rate=0.05, rate_unit="COST_PER_UNIT", quantity_key="kwh", payment_duration=5, payment_cap=1500),
        {"kwh": 8000},
    )
    assert recurring.yearly_amount == pytest.approx(400) and recurring.uncapped_amount == pytest.approx(2000)
    assert recurring.amount == 1500 and recurring.payment_years == 5
    assert Assumption.RECURRING_FLAT in recurring.assumptions
    block = estimate(Terms(rate=2500, rate_unit="BLOCK"), {})
    assert block.amount == 2500 and block.assumptions == (Assumption.BLOCK_IS_FIXED,)


def test_quantity_cap_naming_an_input_or_unreadable() -> None:
    by_key = estimate(
        Terms(rate=1, rate_unit="COST_PER_UNIT", quantity_key="q", quantity_key_cap="limit"), {"q": 10, "limit": 4}
    )
    assert by_key.amount == 4 and Assumption.QUANTITY_CAP_FROM_INPUT in by_key.assumptions
    ignored = estimate(Terms(rate=1, rate_unit="COST_PER_UNIT", quantity_key="q", quantity_key_cap="limit"), {"q": 10})
    assert ignored.amount == 10 and Assumption.QUANTITY_CAP_IGNORED in ignored.assumptions


def test_missing_quantity_and_unknown_unit() -> None:
    assert estimate(Terms(rate=1, rate_unit="COST_PER_UNIT", quantity_key="q"), {}).missing_inputs == ("q",)
    assert estimate(Terms(rate=1, rate_unit="SOMETHING_NEW", quantity_key="q"), {"q": 1}).amount is None


caps = st.one_of(st.none(), st.just(0.0), st.floats(min_value=-100, max_value=1e6, allow_nan=False))
terms_strategy = st.builds(
    Terms,
    rate=st.one_of(st.none(), st.floats(min_value=-1e3, max_value=1e4, allow_nan=False)),
    rate_unit=st.sampled_from(["COST_PER_UNIT", "PERCENTAGE", "BLOCK", "OTHER", None]),
    quantity_key=st.sampled_from(["q", None]),
    quantity_key_cap=st.one_of(
        st.none(),
        st.sampled_from(["", "None", "limit", "x"]),
        st.floats(min_value=-10, max_value=1e6, allow_nan=False).map(str),
    ),
    percent_cost_cap=caps,
    percent_cost_cap_key=st.sampled_from(["cost", None]),
    payment_cap=caps,
    payment_duration=st.one_of(st.none(), st.integers(min_value=-2, max_value=30)),
)
inputs_strategy = st.dictionaries(
    st.sampled_from(["q", "cost", "limit"]), st.floats(min_value=-1e6, max_value=1e7, allow_nan=False), max_size=3
)


@given(terms_strategy, inputs_strategy)
def test_an_estimate_is_never_negative_and_never_above_a_cap(terms: Terms, inputs: dict[str, float]) -> None:
    result = estimate(terms, inputs)
    if result.amount is None:
        return
    assert math.isfinite(result.amount) and result.amount >= 0
    if terms.payment_cap and terms.payment_cap > 0:
        assert result.amount <= terms.payment_cap
    if terms.percent_cost_cap and terms.percent_cost_cap > 0 and terms.percent_cost_cap_key:
        share = terms.percent_cost_cap / 100 if terms.percent_cost_cap > 1 else terms.percent_cost_cap
        assert result.amount <= share * max(0.0, inputs[terms.percent_cost_cap_key]) + 1e-6
    if result.uncapped_amount is not None:
        assert result.amount <= result.uncapped_amount + 1e-6
    if result.quantity is not None and terms.rate_unit == "COST_PER_UNIT":
        cap = terms.quantity_key_cap
        try:
            numeric = float(cap) if cap else None
        except ValueError:
            numeric = None
        if numeric is not None and numeric > 0:
            assert result.quantity <= numeric
