from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.sandbox import SandboxState

APP = ("sandbox-app-id", "sandbox-app-key")


async def incentives(upstream: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await upstream.get("/rest/v1/incentives", params=params, auth=APP)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["incentiveName"]: i for i in body["results"]}


async def test_basic_auth_and_error_envelope(upstream: httpx.AsyncClient) -> None:
    missing = await upstream.get("/rest/v1/incentives")
    assert missing.status_code == 401
    assert missing.json()["status"] == "error" and missing.json()["type"] == "Error"
    assert missing.json()["results"][0]["objectName"] == "requestSignature"
    wrong = await upstream.get("/rest/v1/incentives", auth=("sandbox-app-id", "wrong"))
    assert wrong.status_code == 401
    legacy = await upstream.get("/rest/v1/incentives", params={"appId": APP[0], "appKey": APP[1]})
    assert legacy.status_code == 200


async def test_envelope_paging_and_total_count(upstream: httpx.AsyncClient) -> None:
    everything = await incentives(upstream, zipCode="11215", pageCount=100)
    page = await incentives(upstream, zipCode="11215", pageStart=1, pageCount=2)
    assert page["status"] == "success" and page["type"] == "Incentive"
    assert page["count"] == everything["count"] > 2  # count is the total, not the page size
    assert (page["pageStart"], page["pageCount"]) == (1, 2)
    assert [i["incentiveId"] for i in page["results"]] == [i["incentiveId"] for i in everything["results"][1:3]]


async def test_filters(upstream: httpx.AsyncClient) -> None:
    ny = await incentives(upstream, state="NY")
    assert {i["state"] for i in ny["results"]} <= {"NY", None}
    assert not by_name(ny).get("NY-Sun Residential Incentive (Block 1)")  # exhausted: hidden by default
    exhausted = await incentives(upstream, state="NY", isExhausted="TRUE")
    assert [i["incentiveName"] for i in exhausted["results"]] == ["NY-Sun Residential Incentive (Block 1)"]
    closed = await incentives(upstream, zipCode="94105", effectiveOn="2015-11-05")
    assert "PG&E Solar Rebate (closed)" in by_name(closed)
    assert "PG&E Solar Rebate (closed)" not in by_name(await incentives(upstream, zipCode="94105"))
    general = await incentives(upstream, zipCode="94105", customerClasses="GENERAL")
    assert {i["customerClass"] for i in general["results"]} == {"GENERAL"}
    credits = await incentives(upstream, zipCode="11215", incentiveType="taxCredit")
    assert {i["incentiveType"] for i in credits["results"]} == {"taxCredit"}
    by_address = await incentives(upstream, addressString="12 7th Ave, Brooklyn, NY 11215")
    assert by_address["count"] == (await incentives(upstream, zipCode="11215"))["count"]


@pytest.mark.parametrize(
    ("inputs", "eligibility", "required"),
    [
        ({}, "COULD_BE_ELIGIBLE", {"tilt", "azimuth", "estimatedFirstYearkWh", "systemOwnership"}),
        (
            {
                "tilt": "20",
                "azimuth": "180",
                "systemOwnership": "host",
                "estimatedFirstYearkWh": "8000",
                "annualConsumption": "9000",
            },
            "ELIGIBLE",
            set(),
        ),
        ({"tilt": "75"}, "INELIGIBLE", set()),  # range fails even with other values missing
        (
            {
                "tilt": "20",
                "azimuth": "180",
                "systemOwnership": "thirdParty",
                "estimatedFirstYearkWh": "8000",
                "annualConsumption": "9000",
            },
            "INELIGIBLE",
            set(),
        ),  # required value fails
        (
            {
                "tilt": "20",
                "azimuth": "180",
                "systemOwnership": "host",
                "estimatedFirstYearkWh": "12000",
                "annualConsumption": "9000",
            },
            "INELIGIBLE",
            set(),
        ),  # formula: 12000 > 1.1 x 9000
        (
            {"tilt": "20", "azimuth": "180", "systemOwnership": "host", "estimatedFirstYearkWh": "8000"},
            "COULD_BE_ELIGIBLE",
            {"annualConsumption"},
        ),  # formula input missing -> requiredData
    ],
)
async def test_eligibility_as_the_seed_states(
    upstream: httpx.AsyncClient, inputs: dict[str, str], eligibility: str, required: set[str]
) -> None:
    body = await incentives(upstream, zipCode="11215", **inputs)
    ny_sun = by_name(body)["NY-Sun Residential Incentive"]
    assert ny_sun["eligibility"] == eligibility
    assert {a["applicabilityKey"] for a in ny_sun["requiredData"]} == required


async def test_inputs_do_not_filter_and_named_params_win(upstream: httpx.AsyncClient) -> None:
    plain = await incentives(upstream, zipCode="11215")
    with_inputs = await incentives(upstream, zipCode="11215", tilt="89")
    assert plain["count"] == with_inputs["count"]


async def test_default_incentives_match_defaults(upstream: httpx.AsyncClient) -> None:
    body = await incentives(upstream, zipCode="11215", defaultIncentives="true")
    names = set(by_name(body))
    assert "Con Edison Income-Qualified Solar Adder" not in names  # default incomeQualified is false
    assert "Residential Clean Energy Credit" in names


async def test_one_incentive_and_applicabilities(upstream: httpx.AsyncClient) -> None:
    one = (await upstream.get("/rest/v1/incentives/3163702", auth=APP)).json()
    assert one["count"] == 1 and one["results"][0]["paymentCap"] == 5000
    assert one["results"][0]["applicabilities"][0]["applicabilityKey"] == "systemSizeDcW"
    bare = (
        await upstream.get(
            "/rest/v1/incentives/3158839", params={"populateDetails": "false", "populateDocuments": "true"}, auth=APP
        )
    ).json()
    assert bare["results"][0]["applicabilities"] is None and bare["results"][0]["documents"]
    missing = await upstream.get("/rest/v1/incentives/1", auth=APP)
    assert missing.status_code == 404 and missing.json()["results"][0]["code"] == "ObjectNotFound"
    apps = (await upstream.get("/rest/v1/incentives/applicabilities", params={"zipCode": "11215"}, auth=APP)).json()
    assert apps["type"] == "IncentiveApplicability"
    keys = {a["applicabilityKey"] for a in apps["results"]}
    assert {"tilt", "azimuth", "systemOwnership", "estimatedFirstYearkWh", "annualConsumption"} <= keys


async def test_bad_parameters_name_the_property(upstream: httpx.AsyncClient) -> None:
    response = await upstream.get("/rest/v1/incentives", params={"effectiveOn": "yesterday"}, auth=APP)
    assert response.status_code == 400
    assert response.json()["results"][0]["propertyName"] == "effectiveOn"


async def test_rate_limit_429(
    upstream: httpx.AsyncClient, state: SandboxState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gateway.sandbox.arcadia_routes.REQUESTS_PER_MINUTE", 3)
    codes = [(await upstream.get("/rest/echo/hello", auth=APP)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
