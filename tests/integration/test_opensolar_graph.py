"""The whole OpenSolar graph through the real app, against the embedded sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID
from schema.relay.global_ids import encode
from tests.conftest import Gateway

pytestmark = pytest.mark.integration


async def test_org_name_and_default_org(gateway: Gateway) -> None:
    result = await gateway.query('{ org { id databaseId name } other: org(id: "%d") { id } }' % RAW_DATA_ORG_ID)
    assert result["data"]["org"] == {
        "id": encode("Org", RAW_DATA_ORG_ID),
        "databaseId": RAW_DATA_ORG_ID,
        "name": gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].name,
    }


async def walk(gateway: Gateway, field: str, first: int, selection: str = "databaseId") -> tuple[list[int], int]:
    ids: list[int] = []
    after: str | None = None
    pages = 0
    while True:
        result = await gateway.query(
            f"query($first: Int, $after: String) {{ org {{ {field}(first: $first, after: $after) {{"
            f" pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {selection} }} }} }} }} }}",
            {"first": first, "after": after},
        )
        connection = result["data"]["org"][field]
        pages += 1
        ids += [edge["node"]["databaseId"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return ids, pages
        after = connection["pageInfo"]["endCursor"]


async def test_projects_paginate_across_pages_one_call_each(gateway: Gateway) -> None:
    ids, pages = await walk(gateway, "projects", 25)
    expected = list(gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].project_ids)
    assert ids == expected and pages == 5
    assert gateway.sandbox.counts["opensolar.projects"] == pages  # never fetched a page twice


async def test_contacts_paginate_and_nodes_match_edges(gateway: Gateway) -> None:
    ids, _ = await walk(gateway, "contacts", 100)
    assert ids == list(gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].contact_ids)
    result = await gateway.query("{ org { contacts(first: 3) { nodes { id } edges { node { id } } } } }")
    connection = result["data"]["org"]["contacts"]
    assert connection["nodes"] == [e["node"] for e in connection["edges"]]


async def test_first_is_bounded_and_cursors_checked(gateway: Gateway) -> None:
    result = await gateway.query("{ org { projects(first: 101) { nodes { id } } } }")
    assert result["data"]["org"]["projects"] is None
    assert result["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert result["errors"][0]["path"] == ["org", "projects"]
    result = await gateway.query('{ org { projects(first: 5, after: "bogus") { nodes { id } } } }')
    assert result["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert gateway.sandbox.counts == {"opensolar.org": 1}  # rejected before any list call (org: checked once)


PROJECT_FIELDS = """
  id identifier title address locality state zip county countryIso2 countryName lat lon timezoneOffset
  isResidential priority stage createdDate modifiedDate soldDate validUntilDate usage usageAnnualKwh shareLink
  yearsToSimulate language numberOfPhases numberOfStoreys customData workflow { workflowId activeStageId }
  assignedRole { id name email phone } org { id }
"""


async def test_project_detail_fields(gateway: Gateway) -> None:
    project = next(p for p in gateway.sandbox.data.projects.values() if p.sold_system_id)
    result = await gateway.query('{ org { project(id: "%d") { %s } } }' % (project.id, PROJECT_FIELDS))
    assert "errors" not in result
    data = result["data"]["org"]["project"]
    assert data["identifier"] == project.identifier and data["zip"] == project.place.zip
    assert data["county"] == project.place.county and data["lat"] == project.lat
    assert data["usageAnnualKwh"] == project.usage_annual_kwh
    assert data["usage"]["usage_data_source"] in {"kwh_annual", "kwh_monthly"}  # JSON string decoded
    assert data["soldDate"] is not None and data["createdDate"].startswith("2026-")
    assert data["assignedRole"]["email"] == "p****@s*******.com"
    assert gateway.sandbox.counts["opensolar.project_detail"] == 1  # all fields from one detail call


async def test_list_rows_serve_their_fields_without_detail_calls(gateway: Gateway) -> None:
    result = await gateway.query(
        "{ org { projects(first: 10) { nodes { id title zip stage contacts { id email } } } } }"
    )
    assert "errors" not in result
    # contacts from inline contacts_data; the list's answer proves the org is there (no org read)
    assert gateway.sandbox.counts == {"opensolar.projects": 1}


async def test_fields_missing_from_rows_fall_back_to_one_detail_call_each(gateway: Gateway) -> None:
    result = await gateway.query(
        "{ org { projects(first: 4) { nodes { databaseId county lat contacts { dateOfBirth } } } } }"
    )
    assert all(node["county"] for node in result["data"]["org"]["projects"]["nodes"])
    assert gateway.sandbox.counts["opensolar.project_detail"] == 4
    contacts = sum(
        len(gateway.sandbox.data.projects[n["databaseId"]].contact_ids)
        for n in result["data"]["org"]["projects"]["nodes"]
    )
    assert gateway.sandbox.counts["opensolar.contact"] == contacts


async def test_contact_and_its_projects(gateway: Gateway) -> None:
    contact = next(c for c in gateway.sandbox.data.contacts.values() if c.project_ids and c.org_id == RAW_DATA_ORG_ID)
    result = await gateway.query(
        '{ org { contact(id: "%d") { id firstName familyName display email phone '
        "dateOfBirth gender type projects { databaseId title } } } }" % contact.id
    )
    data = result["data"]["org"]["contact"]
    assert data["email"] == contact.email and data["dateOfBirth"] == contact.date_of_birth
    assert data["type"] == "NORMAL" and data["gender"] in {"UNSET", "FEMALE", "MALE"}
    assert [p["databaseId"] for p in data["projects"]] == contact.project_ids


async def test_systems_of_a_project_and_by_id(gateway: Gateway) -> None:
    project = next(p for p in gateway.sandbox.data.projects.values() if len(p.system_ids) > 1)
    result = await gateway.query(
        '{ org { project(id: "%d") { systems { databaseId uuid kwStc moduleQuantity priceIncludingTax outputAnnualKwh '
        "consumptionOffsetPercentage modules { manufacturerName code quantity } inverters { code quantity } "
        "project { databaseId } } } } }" % project.id
    )
    systems = result["data"]["org"]["project"]["systems"]
    assert [s["databaseId"] for s in systems] == project.system_ids
    first = gateway.sandbox.data.systems[project.system_ids[0]]
    assert systems[0]["kwStc"] == first.kw_stc and systems[0]["modules"][0]["quantity"] == first.module_quantity
    assert {s["project"]["databaseId"] for s in systems} == {project.id}
    assert gateway.sandbox.counts["opensolar.systems"] == 1  # one systems-list call for all of them
    single = await gateway.query('{ org { system(id: "%d") { uuid kwStc project { id } } } }' % first.id)
    assert single["data"]["org"]["system"] == {
        "uuid": first.uuid,
        "kwStc": first.kw_stc,
        "project": {"id": encode("Project", RAW_DATA_ORG_ID, project.id)},
    }


async def test_system_details(gateway: Gateway) -> None:
    project = next(p for p in gateway.sandbox.data.projects.values() if p.sold_system_id and len(p.system_ids) > 1)
    query = """query($id: ID!) { org { project(id: $id) {
      all: systemDetails { id uuid name kwStc totalModuleQuantity modules { code } inverters { code }
        batteries { code } otherComponents { code } adders { label totalValue } incentives { title }
        moduleGroups { moduleQuantity azimuth slope layout } data customData customDataIncluded }
      sold: systemDetails(limitToSold: true) { id }
      mcs: systemDetails(includeParts: ["mcs"]) { data }
      systems { details { totalModuleQuantity } }
    } } }"""
    result = await gateway.query(query, {"id": str(project.id)})
    assert "errors" not in result, result["errors"]
    data = result["data"]["org"]["project"]
    assert len(data["all"]) == len(project.system_ids)
    assert data["all"][0]["customDataIncluded"] and data["all"][0]["customData"]["proposal_data"]
    assert sum(g["moduleQuantity"] for g in data["all"][0]["moduleGroups"]) == data["all"][0]["totalModuleQuantity"]
    assert [s["id"] for s in data["sold"]] == [str(project.sold_system_id)]
    assert "mcs" in data["mcs"][0]["data"]
    assert [s["details"]["totalModuleQuantity"] for s in data["systems"]] == [
        gateway.sandbox.data.systems[sid].module_quantity for sid in project.system_ids
    ]
    assert gateway.sandbox.counts["opensolar.system_details"] == 3  # all+systems.details share one call


async def test_system_details_parts_cannot_be_combined(gateway: Gateway) -> None:
    result = await gateway.query(
        '{ org { project(id: "3001") { title systemDetails(includeParts: ["mcs"], excludeParts: ["x"]) { id } } } }'
    )
    assert result["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    project = result["data"]["org"]["project"]
    assert project["systemDetails"] is None and project["title"]  # the sibling field still resolves
    assert gateway.sandbox.counts["opensolar.system_details"] == 0


async def test_private_files(gateway: Gateway) -> None:
    project = next(p for p in gateway.sandbox.data.projects.values() if len(p.file_ids) >= 2)
    result = await gateway.query(
        """query($pid: ID!) { org {
             project(id: $pid) {
               privateFiles { databaseId title filesize fileContentsUrl tags { title } project { id } }
             }
             byProject: privateFiles(projectId: $pid, ordering: FILESIZE_DESC) { nodes { id filesize } }
             searched: privateFiles(search: "permit", first: 5) { nodes { title } }
             privateFile(id: "%d") { databaseId title createdDate } } }"""
        % project.file_ids[0],
        {"pid": str(project.id)},
    )
    assert "errors" not in result
    org = result["data"]["org"]
    assert {f["databaseId"] for f in org["project"]["privateFiles"]} == set(project.file_ids)
    assert "Expires=" in org["project"]["privateFiles"][0]["fileContentsUrl"]
    sizes = [n["filesize"] for n in org["byProject"]["nodes"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) == len(project.file_ids)
    assert all("permit" in n["title"].lower() for n in org["searched"]["nodes"])
    assert org["privateFile"]["databaseId"] == project.file_ids[0]


async def test_proposal_figures_are_numbers(gateway: Gateway) -> None:
    project = gateway.sandbox.data.projects[3001]
    result = await gateway.query(
        '{ org { project(id: "3001") { proposal { projectId usageAnnualKwh systems { uuid '
        "kwStc outputAnnualKwh paybackYears netPresentValue irrPercent "
        "returnOnInvestmentPercent outputMonthlyKwh moduleCodes data } } } } }"
    )
    proposal = result["data"]["org"]["project"]["proposal"]
    system = gateway.sandbox.data.systems[project.system_ids[0]]
    first = proposal["systems"][0]
    assert first["uuid"] == system.uuid and first["kwStc"] == system.kw_stc
    assert first["outputAnnualKwh"] == system.output_annual_kwh
    assert isinstance(first["netPresentValue"], float) and 0 < first["irrPercent"] < 100
    assert len(first["outputMonthlyKwh"]) == 12 and first["data"]["pricing"]


async def test_webhooks_and_mutations(gateway: Gateway) -> None:
    listed = await gateway.query("{ org { webhooks { nodes { id endpoint enabled headerNames triggerFields } } } }")
    nodes = listed["data"]["org"]["webhooks"]["nodes"]
    assert nodes[0]["headerNames"] == ["Authorization"] and "secret" not in str(nodes)
    created = await gateway.query("""mutation { createWebhook(input: {endpoint: "https://me.test/hook",
        triggerFields: ["project.*"], headers: {X_Gateway_Secret: "s3cret"}}) {
        id databaseId endpoint enabled headerNames } }""")
    hook = created["data"]["createWebhook"]
    assert hook["enabled"] and hook["headerNames"] == ["X_Gateway_Secret"]
    stored = gateway.sandbox.data.webhooks[hook["databaseId"]]
    assert stored.headers == '{"X_Gateway_Secret": "s3cret"}'  # sent upstream as a stringified JSON object
    updated = await gateway.query(
        "mutation($id: ID!) { updateWebhook(id: $id, input: {debug: true, "
        'payloadFields: ["project.id"]}) { debug payloadFields enabled } }',
        {"id": hook["id"]},
    )
    assert updated["data"]["updateWebhook"] == {"debug": True, "payloadFields": ["project.id"], "enabled": True}
    disabled = await gateway.query("mutation($id: ID!) { disableWebhook(id: $id) { enabled } }", {"id": hook["id"]})
    assert disabled["data"]["disableWebhook"] == {"enabled": False}


@pytest.mark.parametrize(
    ("mutation", "argument"),
    [
        ('createWebhook(input: {endpoint: "ftp://x"}) { id }', "endpoint"),
        ('createWebhook(input: {endpoint: "https://x", headers: {a: 1}}) { id }', "headers"),
        ('updateWebhook(id: "701", input: {}) { id }', "input"),
        ('updateWebhook(id: "701", input: {enabled: null}) { id }', "enabled"),
        ('disableWebhook(id: "x1") { id }', "webhook id"),
    ],
)
async def test_webhook_input_is_validated_before_any_call(gateway: Gateway, mutation: str, argument: str) -> None:
    result = await gateway.query(f"mutation {{ {mutation} }}")
    assert result["errors"][0]["extensions"] == {"code": "BAD_REQUEST", "argument": argument}
    assert gateway.sandbox.total_calls == 0


async def test_upstream_validation_errors_carry_fields(gateway: Gateway) -> None:
    result = await gateway.query('mutation { updateWebhook(id: "701", input: {triggerFields: []}) { id } }')
    assert "errors" not in result  # an empty list is valid upstream
    missing = await gateway.query('mutation { updateWebhook(id: "999999", input: {debug: true}) { id } }')
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def first_error(result: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = result["errors"][0]
    return error


async def test_api_access_plan(gateway: Gateway) -> None:
    pid = gateway.sandbox.data.orgs[API_ACCESS_ORG_ID].project_ids[0]
    result = await gateway.query(
        '{ org(id: "%d") { project(id: "%d") { title designStatus design { totalPanelCount } '
        "systemDetails { customData customDataIncluded } proposal { projectId } } } }" % (API_ACCESS_ORG_ID, pid),
        token=gateway.api_access_token,
    )
    project = result["data"]["org"]["project"]
    assert project["title"] and project["design"] is None and project["designStatus"] == "NOT_PROVIDED"
    assert project["systemDetails"][0] == {"customData": None, "customDataIncluded": False}
    assert project["proposal"] is None
    error = first_error(result)
    assert error["path"] == ["org", "project", "proposal"]
    assert error["extensions"] == {"code": "PLAN_REQUIRED", "upstream": "opensolar", "status": 402}


async def test_forbidden_not_found_and_unauthenticated(gateway: Gateway) -> None:
    forbidden = await gateway.query('{ org(id: "%d") { name } }' % API_ACCESS_ORG_ID)
    assert first_error(forbidden)["extensions"]["code"] == "FORBIDDEN"
    missing = await gateway.query('{ org { project(id: "999999") { title } } }')
    assert first_error(missing)["extensions"]["code"] == "NOT_FOUND"
    assert first_error(missing)["path"] == ["org", "project"]
    bad_token = await gateway.query("{ org { name } }", token="0" * 40)
    assert first_error(bad_token)["extensions"]["code"] == "UNAUTHENTICATED"
    bad_id = await gateway.query('{ org(id: "12; DROP") { name } }')
    assert first_error(bad_id)["extensions"]["code"] == "BAD_REQUEST"


async def test_caller_bearer_token_is_forwarded(gateway: Gateway) -> None:
    result = await gateway.query('{ org(id: "%d") { name } }' % API_ACCESS_ORG_ID, token=gateway.api_access_token)
    assert result["data"]["org"]["name"] == gateway.sandbox.data.orgs[API_ACCESS_ORG_ID].name
