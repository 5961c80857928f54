from __future__ import annotations

import base64
from datetime import date
from typing import Any

import httpx
import pytest

from gateway.errors import (
    ForbiddenError,
    NotFoundError,
    UnauthenticatedError,
    UpstreamBadRequest,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamUnauthenticated,
)
from gateway.settings import Settings
from gateway.upstream.arcadia.client import ArcadiaClient, IncentiveSearch


def client(handler: Any, app_id: str | None = "id", app_key: str | None = "key") -> ArcadiaClient:
    config = Settings().upstream("arcadia", "https://api.genability.test/")
    return ArcadiaClient(
        config, httpx.AsyncClient(transport=httpx.MockTransport(handler)), concurrency=4, app_id=app_id, app_key=app_key
    )


def envelope(results: list[Any], count: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "status": "success",
        "count": len(results) if count is None else count,
        "type": "Incentive",
        "results": results,
        **extra,
    }


def error(status: int, code: str, message: str, prop: str | None = None, headers: dict[str, str] | None = None) -> Any:
    body = {
        "status": "error",
        "count": 1,
        "type": "Error",
        "results": [{"code": code, "message": message, "objectName": "request", "propertyName": prop}],
    }
    return lambda request: httpx.Response(status, json=body, headers=headers)


INCENTIVE = {
    "incentiveId": 7,
    "masterIncentiveId": 7,
    "incentiveName": "X",
    "startDate": "2015-12-01T00:00:00.000-08:00",
    "endDate": None,
    "rate": 25,
    "rateUnit": "PERCENTAGE",
    "quantityKey": {"keyName": "systemCost"},
    "percentCostCapKey": {"keyName": None},
    "paymentCap": 0,
    "applicabilities": [],
}


async def test_basic_auth_envelope_and_named_params_win() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=envelope([INCENTIVE], count=40, pageStart=5, pageCount=1))

    search = IncentiveSearch(
        zip_code="11215", customer_classes=("RESIDENTIAL", "GENERAL"), effective_on=date(2026, 1, 2), is_exhausted=False
    )
    page = await client(handler).incentives(search, {"tilt": "20", "zipCode": "99999"}, page_start=5, page_count=1)
    assert page.count == 40 and page.results[0].start_date == date(2015, 12, 1)
    request = seen[0]
    assert request.url.path == "/rest/v1/incentives"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"id:key").decode()
    params = dict(request.url.params)
    assert params["zipCode"] == "11215" and params["tilt"] == "20"  # the named zipCode won over the input
    assert params["customerClasses"] == "RESIDENTIAL,GENERAL" and params["effectiveOn"] == "2026-01-02"
    assert params["isExhausted"] == "false" and (params["pageStart"], params["pageCount"]) == ("5", "1")


async def test_all_incentives_reads_every_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["pageStart"])
        items = [{**INCENTIVE, "incentiveId": i} for i in range(start, min(start + 100, 230))]
        return httpx.Response(200, json=envelope(items, count=230))

    found = await client(handler).all_incentives(IncentiveSearch(state="NY"))
    assert [i.incentive_id for i in found] == list(range(230))


@pytest.mark.parametrize(
    ("handler", "expected", "extensions"),
    [
        (
            error(400, "InvalidArgument", "bad date", "effectiveOn"),
            UpstreamBadRequest,
            {"code": "BAD_REQUEST", "property": "effectiveOn", "upstreamCode": "InvalidArgument"},
        ),
        (
            error(401, "Unauthorized", "The credentials were not supplied or are invalid", "appId"),
            UpstreamUnauthenticated,
            {"code": "UNAUTHENTICATED"},
        ),
        (error(403, "Forbidden", "Private data you are not allowed to access"), ForbiddenError, {"code": "FORBIDDEN"}),
        (
            error(403, "Forbidden", "You've hit a rate limit", headers={"Retry-After": "9"}),
            UpstreamRateLimited,
            {"code": "THROTTLED", "retryAfter": 9},
        ),
        (
            error(404, "ObjectNotFound", "Incentive not found.", "masterIncentiveId"),
            NotFoundError,
            {"code": "NOT_FOUND"},
        ),
        (
            lambda r: httpx.Response(429, json={}, headers={"Retry-After": "3"}),
            UpstreamRateLimited,
            {"code": "THROTTLED", "retryAfter": 3},
        ),
        (lambda r: httpx.Response(200, json={"unexpected": True}), UpstreamBadResponse, {}),
    ],
)
async def test_error_envelopes_map_to_codes(
    handler: Any, expected: type[Exception], extensions: dict[str, Any]
) -> None:
    with pytest.raises(expected) as caught:
        await client(handler).incentive(7)
    assert extensions.items() <= caught.value.extensions.items()  # type: ignore[attr-defined]


async def test_error_status_inside_a_200_envelope() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "status": "error",
                "count": 1,
                "type": "Error",
                "results": [
                    {"code": "InvalidArgument", "message": "nope", "objectName": "request", "propertyName": "state"}
                ],
            },
        )

    with pytest.raises(UpstreamBadRequest) as caught:
        await client(handler).applicabilities(IncentiveSearch(state="ZZ"))
    assert caught.value.extensions["property"] == "state"


async def test_no_credentials_means_no_call() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=envelope([]))

    with pytest.raises(UnauthenticatedError):
        await client(handler, app_id=None, app_key=None).incentive(1)
    assert calls == []


async def test_one_incentive_and_applicabilities_params() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("applicabilities"):
            return httpx.Response(
                200, json={**envelope([{"applicabilityKey": "tilt", "minValue": 0}]), "type": "IncentiveApplicability"}
            )
        return httpx.Response(200, json=envelope([INCENTIVE]))

    arcadia = client(handler)
    assert (await arcadia.incentive(7, populate_details=False, populate_documents=True)).incentive_id == 7
    assert (await arcadia.applicabilities(IncentiveSearch(country_code="US", zip_code="1")))[0].min_value == 0
    assert dict(seen[0].url.params) == {"populateDetails": "false", "populateDocuments": "true", "fields": "ext"}
    assert seen[1].url.params["country"] == "US"  # applicabilities name it `country`, search `countryCode`
