"""A cold portfolio overlaps its reads (schema/incentives/market.py): the market searches leave first, and every
project's detail is asked for alongside them, not after the searches that a market's needs are read from.

Observed in the order the sandbox received the calls. The sandbox answers after 40 ms, so Arcadia's second wave
(four searches at a time) cannot start before the first wave's answers: a detail asked for after a search came
back sits behind it in the log.
"""

from __future__ import annotations

import pytest

from benchmarks.run import VARIABLES
from gateway.sandbox import SandboxConfig, SandboxState
from schema.operations import load_operations
from tests.conftest import GatewayFactory, sandbox_settings

pytestmark = pytest.mark.integration

SEARCH, DETAIL = "arcadia.incentives", "opensolar.project_detail"
ROWS = """
query Rows($first: Int = 50) {
  org { projects(first: $first) { nodes { title systems { kwStc } %s } } }
}"""


async def _routes(gateway_factory: GatewayFactory, query: str) -> list[str]:
    sandbox = SandboxState(SandboxConfig(latency_ms=40))
    async with gateway_factory(sandbox_settings(GATEWAY_CACHE="false"), sandbox) as gateway:
        result = await gateway.query(query, VARIABLES["Portfolio"], token=gateway.raw_token)
    assert "errors" not in result, result["errors"]
    return [route for route, _, _ in sandbox.calls]


def _at(routes: list[str], route: str) -> list[int]:
    return [i for i, name in enumerate(routes) if name == route]


async def test_portfolio_searches_leave_first_and_details_ride_along(gateway_factory: GatewayFactory) -> None:
    routes = await _routes(gateway_factory, load_operations()["Portfolio"])
    searches, details = _at(routes, SEARCH), _at(routes, DETAIL)
    assert len(searches) == 10 and len(details) == 50
    # the first wave (Arcadia's concurrency of 4) leaves before any other read after the page
    assert routes[2:6] == [SEARCH] * 4, routes[:8]
    # every detail is asked for before the second wave: none waits for its market's search to come back
    assert details[-1] < searches[4], routes
    assert "opensolar.systems" not in routes  # the details serve the systems


async def test_incentives_with_arguments_are_not_searched_ahead(gateway_factory: GatewayFactory) -> None:
    # arguments can change the market (inputs zipCode/state, effectiveOn): no search is started for the rows,
    # so no search is made that the field would not make; the details still serve the systems
    routes = await _routes(gateway_factory, ROWS % 'incentives(effectiveOn: "2026-06-01") { warnings { code } }')
    assert routes.count(SEARCH) == 10 and routes.count(DETAIL) == 50
    assert _at(routes, DETAIL)[0] < _at(routes, SEARCH)[0]


@pytest.mark.parametrize("incentives", ["", "incentives @include(if: false) { warnings { code } }"])
async def test_rows_without_incentives_read_systems_lists_only(
    gateway_factory: GatewayFactory, incentives: str
) -> None:
    # a field under a directive may not run: nothing is started for it
    routes = await _routes(gateway_factory, ROWS % incentives)
    assert SEARCH not in routes and DETAIL not in routes
    assert routes.count("opensolar.systems") == 50
