"""The named operations in schema/operations/ run cleanly against the sandbox."""

from __future__ import annotations

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
