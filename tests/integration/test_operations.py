"""The named operations in schema/operations/ run cleanly against the sandbox, each reading only distinct resources."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from schema.operations import load_operations
from tests.conftest import Gateway

pytestmark = pytest.mark.integration

VARIABLES: dict[str, dict[str, Any]] = {
    "ProjectPage": {"id": "3001"},
    "IncentiveSearch": {"inputs": [{"key": "systemCost", "value": "20000"}]},
    "UpsertContact": {"input": {"firstName": "Ada", "email": "ada@example.com"}},
    "MoveProjectStage": {"id": "3001", "stageId": "52146"},
    "ProjectsModifiedSince": {"since": "2026-02-01T00:00:00Z"},
}


@pytest.mark.parametrize("name", sorted(load_operations()))
async def test_operation_runs_without_errors(gateway: Gateway, name: str) -> None:
    result = await gateway.query(load_operations()[name], VARIABLES.get(name))
    assert "errors" not in result, result["errors"]
    assert result["data"]


def test_the_three_named_operations_exist() -> None:
    assert {"Portfolio", "ProjectPage", "IncentiveSearch"} <= set(load_operations())


# Upstream calls of each named operation on cold caches, by route, and why each one is needed. Every call
# reads (or writes) a distinct resource: a second call for the same one fails the test, and so does an
# operation added to schema/operations/ without a row here.
CALLS: dict[str, tuple[dict[str, int], str]] = {
    "Portfolio": (
        {
            "opensolar.org": 1,  # name
            "opensolar.projects": 1,  # the page of 50 (its answer also proves the org is there)
            "arcadia.incentives": 10,  # one search per distinct market (ZIP) on the page, started first
            # every project's detail, started alongside the searches: it holds the systems (list rows do not,
            # so no systems list is read) and the usage most markets' incentives need (schema/incentives/market.py)
            "opensolar.project_detail": 50,
            # projects whose market's incentives need tilt/azimuth (20), and the projects of the markets searched
            # in Arcadia's last wave, read before their search answers (5 more, whose market turns out not to)
            "opensolar.system_details": 25,
        },
        "every read is one distinct resource; nothing is read for the org check (the page proves it); "
        "87 calls where 50 systems lists and 35 details after the searches made 117",
    ),
    "ProjectPage": (
        {
            "opensolar.project_detail": 1,  # every project field, the systems and the design; proves the org
            "opensolar.system_details": 1,  # systemDetails (and tilt/azimuth for incentives)
            "opensolar.proposal": 1,  # proposal
            "arcadia.incentives": 1,  # the project's market
        },
        "no org read, no systems list (the detail holds the systems)",
    ),
    "IncentiveSearch": ({"arcadia.incentives": 1}, "one search"),
    "ProjectsModifiedSince": ({"opensolar.projects": 1}, "one page, newest first, scanned until older rows"),
    "MoveProjectStage": (
        {"opensolar.project_detail": 1, "opensolar.project_update": 1},
        "the project's workflow (no workflowId given), then the PATCH, whose answer is returned",
    ),
    "UpsertContact": ({"opensolar.contact_create": 1}, "no id: one create, whose answer is returned"),
}


@pytest.mark.parametrize("name", sorted(load_operations()))
async def test_operation_reads_distinct_resources_only(gateway: Gateway, name: str) -> None:
    result = await gateway.query(load_operations()[name], VARIABLES.get(name))
    assert "errors" not in result, result["errors"]
    calls = [(method, path, tuple(sorted(params.items()))) for method, path, params in gateway.sandbox.calls]
    assert len(calls) == len(set(calls)), Counter(calls).most_common(3)  # no resource twice
    expected, _why = CALLS[name]
    assert dict(gateway.sandbox.counts) == expected
