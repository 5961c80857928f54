"""Query fields over Arcadia's three incentive endpoints."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import BadRequestError
from gateway.upstream.arcadia.client import IncentiveSearch
from schema.context import parse_id
from schema.incentives.applicability import Applicability, ApplicabilityInput
from schema.incentives.enums import CustomerClass, IncentiveType, known
from schema.incentives.types import Incentive
from schema.info import Info
from schema.loaders import IncentivePageKey
from schema.pagination import Edge, PageInfo, encode_cursor, window

__all__ = ["ApplicabilitySearchInput", "IncentiveConnection", "IncentiveQueries", "IncentiveSearchInput", "input_map"]

MAX_INPUTS = 50
MAX_VALUE_CHARS = 256
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{0,63}$")  # the seed's own keys may start with a digit


# The names of gateway.upstream.arcadia.client.IncentiveSearch, the one definition, repeated on purpose
# with GraphQL's enums and default (the gateway layer holds no GraphQL): wire_search converts by name and
# tests/unit/schema/incentives/test_search_inputs.py holds the two lists equal.
@strawberry.input(description='The parameters of Arcadia\'s "Get a List of Incentives".')
class IncentiveSearchInput:
    project_type: str | None = "solarPv"
    incentive_type: IncentiveType | None = None
    default_incentives: bool | None = strawberry.field(
        default=None, description="Only incentives available to most people (matching each applicability's default)."
    )
    customer_classes: list[CustomerClass] | None = None
    country_code: str | None = None
    lse_id: int | None = None
    state: str | None = None
    zip_code: str | None = None
    address_string: str | None = None
    effective_on: date | None = None
    from_date: date | None = None
    to_date: date | None = None
    is_exhausted: bool | None = None

    def search(self) -> IncentiveSearch:
        return wire_search(self)


@strawberry.input(description='The parameters of Arcadia\'s "Get Incentive Applicabilities".')
class ApplicabilitySearchInput:
    project_type: str | None = "solarPv"
    incentive_type: IncentiveType | None = None
    country: str | None = None
    lse_id: int | None = None
    customer_classes: list[CustomerClass] | None = None
    state: str | None = None
    zip_code: str | None = None
    address_string: str | None = None
    effective_on: date | None = None
    is_exhausted: bool | None = None

    def search(self) -> IncentiveSearch:
        return wire_search(self, renamed={"country": "country_code"})


def wire_search(search_input: Any, renamed: Mapping[str, str] | None = None) -> IncentiveSearch:
    """The ``IncentiveSearch`` a GraphQL search input stands for, field by field by name.

    Each input field fills the ``IncentiveSearch`` field of the same name (``renamed`` maps the others);
    an enum goes by its value and is refused when UNKNOWN, a list becomes a tuple, null is left out.
    """
    values: dict[str, Any] = {}
    for item in dataclasses.fields(search_input):
        value = getattr(search_input, item.name)
        if value is not None:
            values[(renamed or {}).get(item.name, item.name)] = _wire_value(value, to_camel_case(item.name))
    return IncentiveSearch(**values)


def _wire_value(value: Any, argument: str) -> Any:
    if isinstance(value, list):
        return tuple(_wire_value(item, argument) for item in value)
    if isinstance(value, Enum):
        known(value, argument)  # raises BAD_REQUEST for UNKNOWN
        return str(value.value)
    return value


def input_map(inputs: list[ApplicabilityInput] | None) -> dict[str, str]:
    """Validated caller inputs: bounded in number and size, keys shaped like Arcadia property keys."""
    values: dict[str, str] = {}
    for item in inputs or []:
        if not _KEY.match(item.key) or len(item.value) > MAX_VALUE_CHARS:
            raise BadRequestError(f"Invalid applicability input {item.key[:64]!r}.", argument="inputs")
        if item.key in values:
            raise BadRequestError(f"Applicability input {item.key!r} is given twice.", argument="inputs")
        values[item.key] = item.value
    if len(values) > MAX_INPUTS:
        raise BadRequestError(f"At most {MAX_INPUTS} applicability inputs.", argument="inputs")
    return values


@strawberry.type(description="A page of incentives; Arcadia's count is a real total.")
class IncentiveConnection:
    edges: list[Edge[Incentive]]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[Incentive]:
        return [edge.node for edge in self.edges]


@strawberry.type
class IncentiveQueries:
    @strawberry.field(
        description="Search incentives; applicability inputs set each result's eligibility but never filter the list."
    )
    async def incentives(
        self,
        info: Info,
        filter: IncentiveSearchInput | None = None,
        inputs: list[ApplicabilityInput] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> IncentiveConnection | None:
        values = input_map(inputs)
        win = window(first, after)
        search = (filter or IncentiveSearchInput()).search()
        key = IncentivePageKey(search, tuple(sorted(values.items())), win.offset, win.first)
        page = await info.context.loaders.incentive_page.load(key)
        edges = [
            Edge(node=Incentive(record=r, inputs=values), cursor=encode_cursor(win.offset + i + 1))
            for i, r in enumerate(page.results)
        ]
        has_next = win.offset + len(edges) < page.count
        return IncentiveConnection(
            edges=edges,
            total_count=page.count,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=win.offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="One incentive by its masterIncentiveId.")
    async def incentive(
        self, info: Info, id: strawberry.ID, populate_details: bool = True, populate_documents: bool = False
    ) -> Incentive | None:
        key = (parse_id(id, "incentive id", "Incentive"), populate_details, populate_documents)
        return Incentive(record=await info.context.loaders.incentive.load(key), inputs={})

    @strawberry.field(description="The applicability keys incentives in a market ask for (not paged upstream).")
    async def incentive_applicabilities(
        self, info: Info, filter: ApplicabilitySearchInput | None = None
    ) -> list[Applicability] | None:
        records = await info.context.loaders.applicabilities.load((filter or ApplicabilitySearchInput()).search())
        return Applicability.many(records)
