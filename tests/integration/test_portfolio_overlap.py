"""A cold portfolio overlaps its reads (schema/incentives/market.py): the market searches leave first, and every
project's detail is asked for alongside them, not after the searches that a market's needs are read from; the
projects whose market is searched in Arcadia's last wave have their system details asked for before that wave.

Observed in the order the sandbox received the calls. The sandbox answers after 40 ms (the searches, where the
order depends on it, 300 ms later still), so Arcadia's second wave (four searches at a time) cannot start before
the first wave's answers: a detail asked for after a search came back sits behind it in the log.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.run import VARIABLES
from gateway.sandbox import RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState
from schema.operations import load_operations
from tests.conftest import GatewayFactory, sandbox_settings

pytestmark = pytest.mark.integration

SEARCH, DETAIL, SYSTEM_DETAILS = "arcadia.incentives", "opensolar.project_detail", "opensolar.system_details"
ROWS = """
query Rows($first: Int = 50) {
  org { projects(first: $first) { nodes { title systems { kwStc } %s } } }
}"""


async def _calls(
    gateway_factory: GatewayFactory, query: str, *, systems: bool = True, search_s: float = 0.0, **settings: str
) -> tuple[list[tuple[str, str, dict[str, str]]], Any]:
    sandbox = SandboxState(SandboxConfig(latency_ms=40))
    if search_s:  # every Arcadia search slower than the OpenSolar reads by this much
        sandbox.faults.append(Fault(route=SEARCH, delay_s=search_s))
    if not systems:  # every project without a system
        for project in sandbox.data.projects.values():
            project.system_ids, project.sold_system_id = [], None
    async with gateway_factory(sandbox_settings(GATEWAY_CACHE="false", **settings), sandbox) as gateway:
        result = await gateway.query(query, VARIABLES["Portfolio"], token=gateway.raw_token)
    assert "errors" not in result, result["errors"]
    return list(sandbox.calls), result["data"]


async def _routes(gateway_factory: GatewayFactory, query: str, search_s: float = 0.0) -> list[str]:
    return [route for route, _, _ in (await _calls(gateway_factory, query, search_s=search_s))[0]]


def _at(routes: list[str], route: str) -> list[int]:
    return [i for i, name in enumerate(routes) if name == route]


async def test_portfolio_searches_leave_first_and_details_ride_along(gateway_factory: GatewayFactory) -> None:
    # the searches are made slow, so the first wave's answers (which let the second wave leave) come back
    # 340 ms after it left: a busy machine has that long, not 40 ms, to ask for the 50 details first
    routes = await _routes(gateway_factory, load_operations()["Portfolio"], search_s=0.3)
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


async def test_last_wave_projects_ask_for_system_details_before_their_search_leaves(
    gateway_factory: GatewayFactory,
) -> None:
    # ten markets, four at a time: the ninth and tenth are searched in the third wave, after the second answers;
    # read after them, their projects' system details would be a round trip behind the last wave. The searches
    # are made slow (the details come back long before the second wave does), so a busy machine cannot delay
    # the details past the last wave's start and reorder the log.
    calls, data = await _calls(gateway_factory, ROWS % "databaseId zip incentives { warnings { code } }", search_s=0.3)
    routes = [route for route, _, _ in calls]
    searches = _at(routes, SEARCH)
    assert len(searches) == 10
    last_wave = {calls[i][2]["zipCode"] for i in searches[8:]}
    ahead = {path for route, path, _ in calls[: searches[8]] if route == SYSTEM_DETAILS}
    wanted = {
        f"/api/orgs/{RAW_DATA_ORG_ID}/projects/{node['databaseId']}/systems/details/"
        for node in data["org"]["projects"]["nodes"]
        if node["zip"] in last_wave
    }
    assert len(wanted) == 10 and wanted <= ahead, sorted(wanted - ahead)
    # and no project outside the last wave is read ahead: 20 projects' markets need tilt/azimuth, plus the
    # 5 of the last wave whose market turns out not to
    assert routes.count(SYSTEM_DETAILS) == 25


async def test_one_wave_reads_no_system_details_ahead(gateway_factory: GatewayFactory) -> None:
    # every market searched at once: system details read after their search end the path anyway
    calls, _ = await _calls(
        gateway_factory, ROWS % "incentives { warnings { code } }", GATEWAY_ARCADIA_CONCURRENCY="16"
    )
    assert [route for route, _, _ in calls].count(SYSTEM_DETAILS) == 20


async def test_projects_without_systems_read_no_system_details_ahead(gateway_factory: GatewayFactory) -> None:
    # the detail shows no system: nothing is read ahead (the markets that need tilt/azimuth still read theirs)
    calls, _ = await _calls(gateway_factory, ROWS % "incentives { warnings { code } }", systems=False)
    assert [route for route, _, _ in calls].count(SYSTEM_DETAILS) == 20
