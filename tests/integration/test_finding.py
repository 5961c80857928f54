"""Finding projects and contacts: upstream search/ordering/Teams filters, gateway filters, projectsByIds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Gateway, errors_by_code

pytestmark = pytest.mark.integration


def nodes(result: dict[str, Any], field: str = "projects") -> list[dict[str, Any]]:
    assert "errors" not in result, result["errors"]
    return list(result["data"]["org"][field]["nodes"])


async def test_search_and_ordering_are_sent_upstream(gateway: Gateway) -> None:
    found = nodes(
        await gateway.query('{ org { projects(search: "Brooklyn", ordering: TITLE) { nodes { title locality } } } }')
    )
    assert found and all(p["locality"] == "Brooklyn" for p in found)
    assert [p["title"] for p in found] == sorted((p["title"] for p in found), key=str.lower)
    sent = gateway.sandbox.params_of("opensolar.projects")[-1]
    assert sent["search"] == "Brooklyn" and sent["ordering"] == "title"
    contacts = nodes(
        await gateway.query("{ org { contacts(first: 5, ordering: EMAIL_DESC) { nodes { email } } } }"), "contacts"
    )
    emails = [c["email"] for c in contacts]
    assert emails == sorted(emails, reverse=True)


async def test_teams_filters_go_upstream(gateway: Gateway) -> None:
    await gateway.query('mutation { shareProject(id: "3002", orgIds: ["1002"]) { id } }')
    shared = nodes(await gateway.query('{ org { projects(visibleTo: "1002") { nodes { databaseId } } } }'))
    assert shared == [{"databaseId": 3002}]
    sent = gateway.sandbox.params_of("opensolar.projects")[-1]
    assert sent["visible_to"] == "1002" and sent["fieldset"] == "list"


async def test_gateway_filters_scan_pages_and_report_them(gateway: Gateway) -> None:
    query = (
        '{ org { projects(first: 5, filter: {states: ["ny"], sold: true}) '
        "{ pageInfo { hasNextPage endCursor } nodes { id state stage } } } }"
    )
    result = await gateway.query(query)
    found = nodes(result)
    assert len(found) == 5 and all(p["state"] == "NY" and p["stage"] in (2, 3) for p in found)
    scan = result["extensions"]["scans"][0]
    assert scan["field"] == "projects" and scan["pagesRead"] == gateway.sandbox.counts["opensolar.projects"] == 1
    assert scan["matched"] == 5
    more = await gateway.query(
        'query($after: String) { org { projects(first: 50, after: $after, filter: {states: ["NY"], sold: true}) '
        "{ pageInfo { hasNextPage } nodes { id } } } }",
        {"after": result["data"]["org"]["projects"]["pageInfo"]["endCursor"]},
    )
    rest = [p["id"] for p in nodes(more)]
    assert not set(rest) & {p["id"] for p in found}
    assert more["data"]["org"]["projects"]["pageInfo"]["hasNextPage"] is False


async def test_modified_since_newest_first_stops_early(gateway: Gateway) -> None:
    since = "2026-02-20T00:00:00Z"
    result = await gateway.query(
        "query($s: DateTime) { org { projects(first: 100, ordering: MODIFIED_DATE_DESC, filter: {modifiedSince: $s}) "
        "{ nodes { modifiedDate } } } }",
        {"s": since},
    )
    dates = [datetime.fromisoformat(p["modifiedDate"]) for p in nodes(result)]
    assert dates and all(d >= datetime.fromisoformat(since) for d in dates)
    assert dates == sorted(dates, reverse=True)
    assert result["extensions"]["scans"][0]["rowsScanned"] == len(dates) + 1  # one past the range, then stop


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ("filter: {stages: [7]}", "filter.stages"),
        ("filter: {zips: []}", "filter.zips"),
        ('filter: {modifiedSince: "2026-01-01T00:00:00"}', "filter.modifiedSince"),
        ('visibleTo: "x"', "visibleTo"),
    ],
)
async def test_bad_filters_are_refused_before_any_call(gateway: Gateway, args: str, argument: str) -> None:
    result = await gateway.query(f"{{ org {{ projects({args}) {{ nodes {{ id }} }} }} }}")
    assert errors_by_code(result)["BAD_REQUEST"][0]["extensions"]["argument"] == argument
    assert gateway.sandbox.counts["opensolar.projects"] == 0


async def test_projects_by_ids_go_through_the_loaders(gateway: Gateway) -> None:
    result = await gateway.query('{ org { projectsByIds(ids: ["3003", "3001", "3003", "999999"]) { id title } } }')
    assert "BAD_REQUEST" in errors_by_code(result)  # an id twice
    result = await gateway.query('{ org { projectsByIds(ids: ["3003", "3001", "999999"]) { databaseId title } } }')
    found = result["data"]["org"]["projectsByIds"]
    assert [p["databaseId"] if p else None for p in found] == [3003, 3001, None]
    assert gateway.sandbox.counts["opensolar.project_detail"] == 3
