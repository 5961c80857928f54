from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schema.opensolar.display_figures import parse_figure, parse_number_list


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8,547", 8547.0),
        ("$12,340", 12340.0),
        ("-$1,200", -1200.0),
        ("$-1,200", -1200.0),
        ("($1,200)", -1200.0),
        ("21.3%", 21.3),
        ("6.210", 6.21),
        ("4.2", 4.2),
        ("A$9,980.50", 9980.5),
        ("USD 250", 250.0),
        ("€1,000", 1000.0),
        (".5", 0.5),
        (42, 42.0),
        (3.5, 3.5),
    ],
)
def test_parses_display_figures(text: str | float, value: float) -> None:
    assert parse_figure(text) == value


@pytest.mark.parametrize("text", ["", "N/A", "—", "1.2.3", "12 34", "$", None, True, "1e9", "abc123"])
def test_non_figures_are_none(text: object) -> None:
    assert parse_figure(text) is None  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_money_round_trips(amount: int) -> None:
    text = f"{'-' if amount < 0 else ''}${abs(amount):,}"
    assert parse_figure(text) == amount


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda f: round(f, 1)))
def test_percent_round_trips(value: float) -> None:
    assert parse_figure(f"{value:,.1f}%") == pytest.approx(value)


def test_number_lists() -> None:
    assert parse_number_list("[680, 720.5]") == [680.0, 720.5]
    assert parse_number_list([1, "2"]) == [1.0, 2.0]
    assert parse_number_list("not json") is None
    assert parse_number_list('{"a": 1}') is None
    assert parse_number_list('[1, "x"]') is None
