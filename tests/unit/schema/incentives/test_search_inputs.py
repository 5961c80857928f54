"""The GraphQL search inputs convert into Arcadia's one IncentiveSearch by field name, nothing dropped or invented."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from gateway.errors import BadRequestError
from gateway.upstream.arcadia.client import IncentiveSearch
from schema.incentives.enums import CustomerClass, IncentiveType
from schema.incentives.queries import ApplicabilitySearchInput, IncentiveSearchInput

WIRE_FIELDS = {item.name for item in dataclasses.fields(IncentiveSearch)}


def test_the_incentive_search_input_has_every_wire_field_and_no_other() -> None:
    assert {item.name for item in dataclasses.fields(IncentiveSearchInput)} == WIRE_FIELDS


def test_the_applicability_input_names_wire_fields_only() -> None:
    names = {"country_code" if f.name == "country" else f.name for f in dataclasses.fields(ApplicabilitySearchInput)}
    assert names <= WIRE_FIELDS and WIRE_FIELDS - names == {"default_incentives", "from_date", "to_date"}


def test_every_field_reaches_the_wire_search() -> None:
    day = date(2026, 1, 2)
    wire: dict[str, Any] = {
        "project_type": "solarPv",
        "incentive_type": "taxCredit",
        "default_incentives": True,
        "customer_classes": ("RESIDENTIAL", "GENERAL"),
        "country_code": "US",
        "lse_id": 7,
        "state": "NY",
        "zip_code": "11215",
        "address_string": "1 Main St",
        "effective_on": day,
        "from_date": day,
        "to_date": day,
        "is_exhausted": False,
    }
    assert wire.keys() == WIRE_FIELDS
    enums = {
        "incentive_type": IncentiveType.TAX_CREDIT,
        "customer_classes": [CustomerClass.RESIDENTIAL, CustomerClass.GENERAL],
    }
    assert IncentiveSearchInput(**{**wire, **enums}).search() == IncentiveSearch(**wire)
    applicability = ApplicabilitySearchInput(country="US", customer_classes=[CustomerClass.GENERAL], state="CA")
    assert applicability.search() == IncentiveSearch(
        project_type="solarPv", country_code="US", customer_classes=("GENERAL",), state="CA"
    )
    assert IncentiveSearchInput(project_type=None).search() == IncentiveSearch()


@pytest.mark.parametrize(
    ("given", "argument"),
    [
        (IncentiveSearchInput(incentive_type=IncentiveType.UNKNOWN), "incentiveType"),
        (
            ApplicabilitySearchInput(customer_classes=[CustomerClass.RESIDENTIAL, CustomerClass.UNKNOWN]),
            "customerClasses",
        ),
    ],
)
def test_unknown_is_an_answer_never_a_question(
    given: IncentiveSearchInput | ApplicabilitySearchInput, argument: str
) -> None:
    with pytest.raises(BadRequestError) as refused:
        given.search()
    assert refused.value.extensions.get("argument") == argument
