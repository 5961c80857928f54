"""The simulated Arcadia Solar Incentives API: Basic auth, the response envelope, paging, eligibility."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.sandbox.eligibility import applicability_json, evaluate
from gateway.sandbox.incentive_catalog import FORMULAS, INCENTIVES, PROPERTY_KEYS, ZIP_LSES, Incentive
from gateway.sandbox.pipeline import HttpError, endpoint, query_int
from gateway.sandbox.state import SandboxState

__all__ = ["arcadia_routes"]

DEFAULT_PAGE_COUNT = 25
MAX_PAGE_COUNT = 100
# The 2025 spike limiter adapts to an org's own average; the sandbox uses a fixed per-app ceiling.
REQUESTS_PER_MINUTE = 600
NAMED_PARAMS = {
    "projectType",
    "incentiveType",
    "defaultIncentives",
    "customerClasses",
    "countryCode",
    "country",
    "lseId",
    "state",
    "zipCode",
    "addressString",
    "effectiveOn",
    "fromDate",
    "toDate",
    "isExhausted",
    "pageStart",
    "pageCount",
    "fields",
    "sortOn",
    "sortOrder",
    "populateDetails",
    "populateDocuments",
    "appId",
    "appKey",
}
_ZIP_IN_ADDRESS = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


def envelope(kind: str, results: list[Any], count: int | None = None, **extra: Any) -> JSONResponse:
    body = {
        "status": "success",
        "count": len(results) if count is None else count,
        "type": kind,
        "results": results,
        **extra,
    }
    return JSONResponse(body)


class ArcadiaDialect:
    def authenticate(self, request: Request, state: SandboxState) -> str:
        app_id, app_key = request.query_params.get("appId"), request.query_params.get("appKey")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                app_id, _, app_key = base64.b64decode(header[6:], validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                app_id = app_key = None
        if not app_id or not app_key:
            raise HttpError(401, "The credentials were not supplied or are invalid", field="appId")
        if (app_id, app_key) != (state.config.arcadia_app_id, state.config.arcadia_app_key):
            raise HttpError(401, "The credentials were not supplied or are invalid", field="appKey")
        return app_id

    def throttle(self, request: Request, state: SandboxState, caller: str) -> None:
        if state.config.throttle:
            wait = state.throttle.check(("arcadia", caller), REQUESTS_PER_MINUTE, 60.0)
            if wait is not None:
                raise HttpError(429, "Rate limit exceeded.", headers={"Retry-After": str(wait)})

    def render_error(self, error: HttpError) -> Response:
        if error.body is not None:
            return JSONResponse(error.body, status_code=error.status, headers=error.headers)
        code = {
            400: "InvalidArgument",
            401: "Unauthorized",
            403: "Forbidden",
            404: "ObjectNotFound",
            429: "TooManyRequests",
        }.get(error.status, "ServerError")
        object_name = "requestSignature" if error.status == 401 else "request"
        item = {
            "code": code,
            "message": error.message,
            "objectName": object_name,
            "propertyName": error.field,
        }
        body = {"status": "error", "count": 1, "type": "Error", "results": [item]}
        return JSONResponse(body, status_code=error.status, headers=error.headers)


def _date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise HttpError(400, f"{name} must be an ISO 8601 date.", field=name) from None


def _bool(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() not in {"true", "false"}:
        raise HttpError(400, f"{name} must be true or false.", field=name)
    return raw.lower() == "true"


def _int(request: Request, name: str, default: int) -> int:
    return query_int(request, name, default, HttpError(400, f"{name} must be a non-negative integer.", field=name))


def _zip(request: Request) -> str | None:
    zip_code = request.query_params.get("zipCode")
    if zip_code is None and (address := request.query_params.get("addressString")):
        match = _ZIP_IN_ADDRESS.search(address)
        zip_code = match.group(1) if match else None
        if zip_code is None:
            raise HttpError(400, "addressString could not be resolved to a location.", field="addressString")
    return zip_code


def _matches(request: Request, incentive: Incentive, *, default_dates: bool) -> bool:
    query = request.query_params
    classes = {c.strip().upper() for c in query.get("customerClasses", "").split(",") if c.strip()}
    country = query.get("countryCode") or query.get("country")
    checks = [
        query.get("projectType", "solarPv") == "solarPv",
        query.get("incentiveType") in (None, incentive.incentive_type),
        not classes or incentive.customer_class in classes,
        country in (None, "US", "USA"),
        query.get("lseId") in (None, str(incentive.lse[0])),
        query.get("state") in (None, incentive.state) or incentive.jurisdiction == "federal",
    ]
    if not all(checks):
        return False
    zip_code = _zip(request)
    if zip_code is not None:
        if zip_code not in ZIP_LSES:
            return incentive.jurisdiction == "federal"
        state = ZIP_LSES[zip_code][0]
        in_area = incentive.jurisdiction == "federal" or (
            incentive.state == state and (incentive.zips is None or zip_code in incentive.zips)
        )
        if not in_area:
            return False
    exhausted = _bool(request, "isExhausted")
    if incentive.exhausted != (False if exhausted is None else exhausted):
        return False
    return _in_dates(request, incentive, default_dates=default_dates)


def _in_dates(request: Request, incentive: Incentive, *, default_dates: bool) -> bool:
    start, end = (
        date.fromisoformat(incentive.start),
        date.fromisoformat(incentive.end) if incentive.end else None,
    )
    from_date, to_date = _date(request, "fromDate"), _date(request, "toDate")
    effective = _date(request, "effectiveOn")
    if effective is None and default_dates and from_date is None and to_date is None:
        effective = date.today()
    if effective is not None and (start > effective or (end is not None and end < effective)):
        return False
    if from_date is not None and end is not None and end < from_date:
        return False
    return not (to_date is not None and start > to_date)


def _key_json(key: str | None) -> dict[str, Any]:
    if key is None:
        return {"keyName": None}
    display, description, unit, data_type, _ = PROPERTY_KEYS[key]
    return {
        "keyName": key,
        "displayName": display,
        "description": description,
        "quantityUnit": unit,
        "dataType": data_type,
    }


def incentive_json(incentive: Incentive, *, details: bool = True, documents: bool = False) -> dict[str, Any]:
    return {
        "incentiveId": incentive.id,
        "masterIncentiveId": incentive.id,
        "tariffCode": "None",
        "incentiveName": incentive.name,
        "lseId": incentive.lse[0],
        "lseName": incentive.lse[1],
        "lseCode": incentive.lse_code,
        "serviceType": "SOLAR_PV",
        "customerClass": incentive.customer_class,
        "startDate": incentive.start,
        "endDate": incentive.end,
        "isExhausted": incentive.exhausted,
        "projectType": "solarPv",
        "incentiveType": incentive.incentive_type,
        "rate": incentive.rate,
        "rateUnit": incentive.rate_unit,
        "documents": list(incentive.documents) if documents else None,
        "jurisdiction": incentive.jurisdiction,
        "quantityKey": _key_json(incentive.quantity_key),
        "quantityKeyCap": incentive.quantity_key_cap,
        "state": incentive.state,
        "percentCostCap": incentive.percent_cost_cap,
        "percentCostCapKey": _key_json(incentive.percent_cost_cap_key),
        "paymentCap": incentive.payment_cap,
        "paymentDuration": incentive.payment_duration,
        "incentivePaidTo": incentive.paid_to,
        "projectTypeExclusive": incentive.exclusive,
        "territoryId": 3000 + incentive.lse[0] % 1000,
        "applicabilities": [applicability_json(a) for a in incentive.applicabilities] if details else None,
        "summary": incentive.summary,
        "requirements": incentive.requirements,
    }


def _inputs(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in NAMED_PARAMS}


def _is_default(incentive: Incentive) -> bool:
    defaults = {key: spec[4] for key, spec in PROPERTY_KEYS.items() if spec[4] is not None}
    return evaluate(incentive.applicabilities, defaults)[0] == "ELIGIBLE"


async def incentives_list(request: Request, caller: str) -> Response:
    inputs = _inputs(request)
    found = [i for i in INCENTIVES if _matches(request, i, default_dates=True)]
    if _bool(request, "defaultIncentives"):
        found = [i for i in found if _is_default(i)]
    start = _int(request, "pageStart", 0)
    count = min(max(_int(request, "pageCount", DEFAULT_PAGE_COUNT), 1), MAX_PAGE_COUNT)
    results = []
    for incentive in found[start : start + count]:
        eligibility, required = evaluate(incentive.applicabilities, inputs)
        results.append({**incentive_json(incentive), "eligibility": eligibility, "requiredData": required})
    return envelope("Incentive", results, count=len(found), pageStart=start, pageCount=count)


async def incentive_detail(request: Request, caller: str) -> Response:
    wanted = request.path_params["incentive_id"]
    incentive = next((i for i in INCENTIVES if i.id == wanted), None)
    if incentive is None:
        raise HttpError(404, "Incentive not found.", field="masterIncentiveId")
    details = _bool(request, "populateDetails")
    documents = _bool(request, "populateDocuments")
    return envelope("Incentive", [incentive_json(incentive, details=details is not False, documents=bool(documents))])


async def applicabilities(request: Request, caller: str) -> Response:
    keys: dict[str, dict[str, Any]] = {}
    for incentive in INCENTIVES:
        if not _matches(request, incentive, default_dates=True):
            continue
        for spec in incentive.applicabilities:
            key = spec["applicabilityKey"]
            keys.setdefault(key, applicability_json({"applicabilityKey": key, "choices": spec.get("choices")}))
            if spec.get("operator"):
                base = FORMULAS[spec["quantityKey"]][1]
                keys.setdefault(base, applicability_json({"applicabilityKey": base}))
    results = list(keys.values())
    return envelope("IncentiveApplicability", results, pageCount=DEFAULT_PAGE_COUNT, pageStart=0)


async def echo_hello(request: Request, caller: str) -> Response:
    return JSONResponse({"status": "success", "count": 1, "type": None, "results": ["Hello World", "Hello World!"]})


def arcadia_routes() -> list[Route]:
    dialect = ArcadiaDialect()

    def route(path: str, name: str, handler: Any) -> Route:
        return Route(path, endpoint(f"arcadia.{name}", dialect, handler), methods=["GET"], name=f"arcadia_{name}")

    return [
        route("/rest/v1/incentives", "incentives", incentives_list),
        route("/rest/v1/incentives/applicabilities", "applicabilities", applicabilities),
        route("/rest/v1/incentives/{incentive_id:int}", "incentive", incentive_detail),
        route("/rest/echo/hello", "echo", echo_hello),
    ]
