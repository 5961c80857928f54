"""The Arcadia (Genability) Solar Incentives client: Basic auth, the envelope, pageStart/pageCount.

Every answer is ``{status, count, type, results[]}``; errors put ``{code, message, objectName,
propertyName}`` objects in ``results``. A 403 can mean "you've hit a rate limit" (older docs), so a
403 whose message says so is THROTTLED like a 429; any other 403 is FORBIDDEN.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import httpx

from gateway.cache.upstream import CachePolicy
from gateway.errors import (
    UnauthenticatedError,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    error_for_status,
    field_name,
    redact,
    validation_fields,
)
from gateway.upstream.arcadia.models import ApplicabilityRecord, IncentivePage, IncentiveRecord
from gateway.upstream.base import UpstreamClient
from gateway.upstream.config import DEFAULT_CACHE_TTLS_S, UpstreamConfig
from gateway.upstream.retry import parse_retry_after
from gateway.upstream.tolerant import parse_model

__all__ = ["ArcadiaClient", "IncentiveSearch"]

UPSTREAM = "arcadia"
# Arcadia documents no maximum pageCount; 100 is the gateway's own clamp (see arcadia-api.md §3).
MAX_PAGE_COUNT = 100
RATE_LIMIT_WORDS = ("rate limit", "rate-limit", "too many requests")
_UPSTREAM_CODE = re.compile(r"^[A-Za-z][A-Za-z_]{0,39}$")  # Arcadia's error codes: InvalidArgument, ...


@dataclass(frozen=True, slots=True)
class IncentiveSearch:
    """The named parameters of "Get a List of Incentives" (and, minus a few, of applicabilities).

    The one definition of them: each field goes on the wire as its camelCase name (``zip_code`` is
    ``zipCode``; ``country_code`` is ``country`` on the applicabilities endpoint), and the GraphQL
    search inputs (``schema/incentives/queries.py``) convert into it by field name. Those inputs repeat
    the names with GraphQL's types (enums, a default) on purpose, as this layer holds no GraphQL;
    ``tests/unit/schema/incentives/test_search_inputs.py`` holds the two lists equal.
    """

    project_type: str | None = None
    incentive_type: str | None = None
    default_incentives: bool | None = None
    customer_classes: tuple[str, ...] = ()
    country_code: str | None = None
    lse_id: int | None = None
    state: str | None = None
    zip_code: str | None = None
    address_string: str | None = None
    effective_on: date | None = None
    from_date: date | None = None
    to_date: date | None = None
    is_exhausted: bool | None = None

    def params(self, *, country_name: str = "countryCode") -> dict[str, str]:
        values: dict[str, Any] = {
            country_name if item.name == "country_code" else _camel_case(item.name): getattr(self, item.name)
            for item in fields(self)
        }
        values["customerClasses"] = ",".join(self.customer_classes) or None
        return {name: _wire(value) for name, value in values.items() if value is not None}


def _camel_case(name: str) -> str:
    """``zip_code`` as Arcadia (and GraphQL) spell it: ``zipCode``."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class ArcadiaClient(UpstreamClient):
    """Typed async methods over the three incentive endpoints; credentials from the settings."""

    def __init__(
        self,
        config: UpstreamConfig,
        http: httpx.AsyncClient,
        *,
        app_id: str | None,
        app_key: str | None,
        ttls: Mapping[str, float] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, http, **kwargs)
        self.ttls = dict(ttls or DEFAULT_CACHE_TTLS_S)
        self._decode_page = self._page
        self._auth = (
            "Basic " + base64.b64encode(f"{app_id}:{app_key}".encode()).decode() if app_id and app_key else None
        )

    def cache_policy(self, path: str, params: Mapping[str, str | int]) -> CachePolicy | None:
        kind = (
            "applicabilities"
            if path.endswith("/applicabilities")
            else ("incentives" if path == "/rest/v1/incentives" else "incentive")
        )
        ttl = self.ttls.get(kind, 0)
        return CachePolicy(kind, ttl) if ttl > 0 else None

    def endpoint_class(self, method: str, path: str) -> str:
        policy = self.cache_policy(path, {})
        return policy.kind if policy else "incentives"

    def cache_tags(self, path: str, params: Mapping[str, str | int], payload: Any) -> set[str]:
        tags = {"arcadia:incentives"}
        if params.get("zipCode"):
            tags.add(f"arcadia:zip:{params['zipCode']}")
        return tags

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            raise UnauthenticatedError("No Arcadia credentials: configure ARCADIA_APP_ID and ARCADIA_APP_KEY.")
        return {"Authorization": self._auth}

    async def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        return self._envelope(await self.request("GET", path, params=params, headers=self._headers()))

    def _envelope(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
            raise UpstreamBadResponse(
                f"{UPSTREAM}: expected the {{status, count, type, results}} envelope.", upstream=UPSTREAM
            )
        if payload.get("status") == "error":
            raise self.error_from_body(400, httpx.Headers(), payload)
        return payload

    def _page(self, payload: Any) -> IncentivePage:
        """The decoder of a search page: one bound method, made once, so decoded pages are reused."""
        return parse_model(IncentivePage, self._envelope(payload), UPSTREAM)

    def error_from_body(self, status: int, headers: httpx.Headers, payload: Any) -> UpstreamError:
        """Only a 400 shows the body's ``propertyName`` and ``message`` (as a redacted, capped field
        error); any other status gets the gateway's own message for it."""
        items = payload.get("results") if isinstance(payload, dict) else None
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        message = str(first.get("message") or "")
        if status == 403 and any(word in message.lower() for word in RATE_LIMIT_WORDS):
            return UpstreamRateLimited(
                f"{UPSTREAM}: throttled by the upstream.",
                upstream=UPSTREAM,
                retry_after=parse_retry_after(headers.get("retry-after")),
            )
        code = first.get("code")
        upstream_code = code if isinstance(code, str) and _UPSTREAM_CODE.match(code) else None
        if status != 400:
            return error_for_status(UPSTREAM, status, upstreamCode=upstream_code)
        prop = field_name(first.get("propertyName"))
        fields = validation_fields({prop or "request": [message]}) if message else None
        error = error_for_status(UPSTREAM, status, property=prop, upstreamCode=upstream_code, fields=fields)
        if message:
            error.message = f"{UPSTREAM}: {redact(message)}"
            error.args = (error.message,)
        return error

    async def incentives(
        self,
        search: IncentiveSearch,
        inputs: Mapping[str, str] | None = None,
        *,
        page_start: int = 0,
        page_count: int = 25,
    ) -> IncentivePage:
        named = search.params()
        # A named parameter wins over an applicability input of the same name (the official Java
        # client's "don't double up on parameters" fix), so the API never receives duplicates.
        params = {
            **{k: v for k, v in (inputs or {}).items() if k not in named},
            **named,
            "pageStart": str(page_start),
            "pageCount": str(min(page_count, MAX_PAGE_COUNT)),
            "fields": "ext",
        }
        page: IncentivePage = await self.request(
            "GET", "/rest/v1/incentives", params=params, headers=self._headers(), decode=self._decode_page
        )
        return page

    async def all_incentives(self, search: IncentiveSearch) -> list[IncentiveRecord]:
        """Every page of a search (no applicability inputs: the gateway evaluates those itself)."""
        found: list[IncentiveRecord] = []
        while True:
            page = await self.incentives(search, page_start=len(found), page_count=MAX_PAGE_COUNT)
            found.extend(page.results)
            if not page.results or len(found) >= page.count:
                return found

    async def incentive(
        self, incentive_id: int, *, populate_details: bool = True, populate_documents: bool = False
    ) -> IncentiveRecord:
        params = {
            "populateDetails": _wire(populate_details),
            "populateDocuments": _wire(populate_documents),
            "fields": "ext",
        }
        payload = await self._get(f"/rest/v1/incentives/{incentive_id}", params)
        if not payload["results"]:
            raise error_for_status(UPSTREAM, 404)
        return parse_model(IncentiveRecord, payload["results"][0], UPSTREAM)

    async def applicabilities(self, search: IncentiveSearch) -> list[ApplicabilityRecord]:
        params = {**search.params(country_name="country"), "fields": "ext"}
        payload = await self._get("/rest/v1/incentives/applicabilities", params)
        return [parse_model(ApplicabilityRecord, item, UPSTREAM) for item in payload["results"]]
