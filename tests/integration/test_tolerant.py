"""The tolerant reader, object-level existence, raw upstream objects, the inferred plan and the small fixes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gateway.sandbox import API_ACCESS_ORG_ID, SandboxConfig, SandboxState
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings

README = Path(__file__).parents[2] / "README.md"
PROPOSAL = """{ org { project(id: "%d") { title proposal { projectId systems {
    uuid paybackYears netPresentValue irrPercent outputAnnualKwh outputMonthlyKwh moduleCodes inverterCodes } } } } }"""


def try_it_query() -> str:
    section = README.read_text().split("## Try it", 1)[1]
    found = re.search(r"```graphql\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def proposal_project(gateway: Gateway) -> int:
    return next(p.id for p in gateway.sandbox.data.projects.values() if len(p.system_ids) > 1 and p.org_id == 1001)


def set_in_proposal(key: str, value: Any) -> Any:
    def reshape(route: str, payload: Any) -> Any:
        if route == "opensolar.proposal":
            payload[0]["projects"][0]["proposal_data"]["systems"][0][key] = value
        return payload

    return reshape


async def test_a_foreign_shape_costs_one_field_and_every_figure_survives(gateway: Gateway) -> None:
    project_id = proposal_project(gateway)
    expected = (await gateway.query(PROPOSAL % project_id))["data"]
    gateway.sandbox.reshape = set_in_proposal("moduleCodes", {"module": "an object where codes were expected"})
    result = await gateway.query(PROPOSAL % (project_id,), token=gateway.sandbox.data.orgs[1001].second_token)
    (error,) = result["errors"]
    assert error["path"] == ["org", "project", "proposal", "systems", 0, "moduleCodes"]
    assert error["extensions"] == {
        "code": "UPSTREAM_BAD_RESPONSE",
        "upstream": "opensolar",
        "field": "ProposalSystem.moduleCodes",
    }
    systems = result["data"]["org"]["project"]["proposal"]["systems"]
    assert systems[0]["moduleCodes"] is None
    systems[0]["moduleCodes"] = expected["org"]["project"]["proposal"]["systems"][0]["moduleCodes"]
    assert result["data"] == expected  # every payback, NPV, IRR and monthly figure intact
    metrics = (await gateway.client.get("/metrics")).text
    assert 'gateway_upstream_shape_errors_total{field="ProposalSystem.moduleCodes",upstream="opensolar"} 1.0' in metrics


async def test_codes_read_as_lists_from_a_string_or_a_list(gateway: Gateway) -> None:
    project_id = proposal_project(gateway)
    plain = (await gateway.query(PROPOSAL % project_id))["data"]["org"]["project"]["proposal"]["systems"][0]
    assert isinstance(plain["moduleCodes"], list) and len(plain["moduleCodes"]) == 1
    gateway.sandbox.reshape = set_in_proposal("inverterCodes", "INV-1, INV-2")
    token = gateway.sandbox.data.orgs[1001].second_token
    split = (await gateway.query(PROPOSAL % project_id, token=token))["data"]["org"]["project"]["proposal"]
    assert split["systems"][0]["inverterCodes"] == ["INV-1", "INV-2"]


async def test_try_it_answers_in_full_when_the_sandbox_sends_variant_shapes(gateway_factory: GatewayFactory) -> None:
    answers = []
    for variant in (False, True):
        sandbox = SandboxState(SandboxConfig(variant_shapes=variant))
        async with gateway_factory(sandbox_settings(), sandbox) as gateway:
            answers.append(await gateway.query(try_it_query()))
    plain, variant_answer = answers
    assert "errors" not in variant_answer and "errors" not in plain
    nodes = variant_answer["data"]["org"]["projects"]["nodes"]
    figures = [s for n in nodes for s in (n["proposal"] or {"systems": []})["systems"]]
    assert figures and all(value is not None for system in figures for value in system.values())
    assert variant_answer == plain


async def test_a_list_row_of_a_foreign_shape_keeps_its_siblings(gateway: Gateway) -> None:
    def reshape(route: str, payload: Any) -> Any:
        if route == "opensolar.projects":
            payload[1]["title"] = ["a", "list"]
        return payload

    gateway.sandbox.reshape = reshape
    result = await gateway.query("{ org { projects(first: 3) { nodes { id title zip } } } }")
    nodes = result["data"]["org"]["projects"]["nodes"]
    assert [n["title"] is None for n in nodes] == [False, True, False]
    assert all(n["id"] and n["zip"] for n in nodes)
    (error,) = result["errors"]
    assert error["path"] == ["org", "projects", "nodes", 1, "title"]
    assert error["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"
    assert gateway.sandbox.counts["opensolar.project_detail"] == 0  # a foreign shape is not "missing"


async def test_unknown_enum_values_pass_through(gateway: Gateway) -> None:
    def reshape(route: str, payload: Any) -> Any:
        if route == "arcadia.incentive":
            payload["results"][0].update(incentiveType="performanceCredit", rateUnit="PER_PANEL")
        return payload

    gateway.sandbox.reshape = reshape
    result = await gateway.query(
        '{ incentive(id: "3302404") { incentiveName incentiveType incentiveTypeRaw rateUnit rateUnitRaw rate } }'
    )
    assert "errors" not in result
    incentive = result["data"]["incentive"]
    assert incentive["incentiveType"] == "UNKNOWN" and incentive["incentiveTypeRaw"] == "performanceCredit"
    assert incentive["rateUnit"] == "UNKNOWN" and incentive["rateUnitRaw"] == "PER_PANEL"
    assert incentive["incentiveName"] and incentive["rate"] is not None
    refused = await gateway.query("{ incentives(filter: {incentiveType: UNKNOWN}) { totalCount } }")
    assert errors_by_code(refused).keys() == {"BAD_REQUEST"}


async def test_missing_forbidden_and_unauthenticated_objects_are_null_with_one_error(gateway: Gateway) -> None:
    cases = [
        ('{ org { project(id: "999999") { id title } } }', None, ["org", "project"], "NOT_FOUND"),
        ('{ org(id: "%d") { id name } }' % API_ACCESS_ORG_ID, None, ["org"], "FORBIDDEN"),
        ('{ org(id: "12345") { id } }', None, ["org"], "FORBIDDEN"),
        ("{ org { id projects(first: 2) { nodes { id } } } }", "0" * 40, ["org"], "UNAUTHENTICATED"),
        ('{ org { system(id: "999999") { id } } }', None, ["org", "system"], "NOT_FOUND"),
        ('{ org { privateFile(id: "999999") { id } } }', None, ["org", "privateFile"], "NOT_FOUND"),
        # checked after the fields ran: their denials give way to the org's one error
        ('{ org(id: "12345") { project(id: "3001") { id } } }', None, ["org"], "FORBIDDEN"),
        (
            '{ org(id: "%d") { name projects(first: 2) { nodes { id } } } }' % API_ACCESS_ORG_ID,
            None,
            ["org"],
            "FORBIDDEN",
        ),
    ]
    for query, token, path, code in cases:
        result = await gateway.query(query, token=token)
        (error,) = result["errors"]
        assert (error["path"], error["extensions"]["code"]) == (path, code), query
        node: Any = result["data"]
        for key in path[:-1]:
            node = node[key]
        assert node[path[-1]] is None, query


async def test_each_org_field_is_checked_under_its_own_alias(gateway: Gateway) -> None:
    result = await gateway.query('{ theirs: org(id: "12345") { id project(id: "3001") { id } } ours: org { id name } }')
    (error,) = result["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["theirs"], "FORBIDDEN")
    assert result["data"]["theirs"] is None and result["data"]["ours"]["name"]


async def test_an_existing_project_costs_no_extra_call(gateway: Gateway) -> None:
    result = await gateway.query('{ org { project(id: "3001") { id title systems { kwStc } } } }')
    assert "errors" not in result and result["data"]["org"]["project"]["systems"]
    # the detail's answer proves the org is there: no org read (schema/org_existence.py)
    assert gateway.sandbox.counts == {"opensolar.project_detail": 1}


async def test_raw_reaches_what_the_graph_does_not_type(gateway: Gateway) -> None:
    result = await gateway.query("""{ org {
        projects(first: 2) { nodes { databaseId title raw(path: "title") row: raw } }
        project(id: "3001") { systems { uuid raw(path: "uuid") } raw(path: "/systems/0/uuid")
          proposal { raw(path: "proposal_data.systems.0.uuid") systems { raw(path: "moduleCodes") } } } } }""")
    assert "errors" not in result
    nodes = result["data"]["org"]["projects"]["nodes"]
    assert all(n["raw"] == n["title"] and n["row"]["id"] == n["databaseId"] for n in nodes)
    project = result["data"]["org"]["project"]
    assert project["raw"] == project["systems"][0]["uuid"] == project["systems"][0]["raw"]
    assert project["proposal"]["raw"] == project["systems"][0]["uuid"]
    assert isinstance(project["proposal"]["systems"][0]["raw"], str)  # as sent: one string
    assert gateway.sandbox.counts["opensolar.project_detail"] == 1


async def test_raw_falls_back_to_the_detail_and_keeps_secrets(gateway: Gateway) -> None:
    rows = await gateway.query('{ org { projects(first: 2) { nodes { raw(path: "county") county } } } }')
    assert all(n["raw"] == n["county"] for n in rows["data"]["org"]["projects"]["nodes"])
    assert gateway.sandbox.counts["opensolar.project_detail"] == 2  # the same detail calls as county
    hooks = await gateway.query("{ org { webhooks { nodes { headerNames raw } } } }")
    for node in hooks["data"]["org"]["webhooks"]["nodes"]:
        assert set(node["raw"]["headers"].values()) <= {"[redacted]"}
        assert sorted(node["raw"]["headers"]) == node["headerNames"]
    incentive = await gateway.query('{ incentive(id: "3302404") { incentiveId raw(path: "incentiveId") } }')
    assert str(incentive["data"]["incentive"]["raw"]) == incentive["data"]["incentive"]["incentiveId"]


async def test_org_plan_is_inferred_from_proposal_data(gateway: Gateway) -> None:
    raw = await gateway.query("{ org { plan planEvidence } }")
    assert raw["data"]["org"]["plan"] == "RAW_DATA" and "was served" in raw["data"]["org"]["planEvidence"]
    query = '{ org(id: "%d") { plan planEvidence } }' % API_ACCESS_ORG_ID
    access = await gateway.query(query, token=gateway.api_access_token)
    assert access["data"]["org"]["plan"] == "API_ACCESS" and "402" in access["data"]["org"]["planEvidence"]
    assert "errors" not in access


async def test_the_seeds_formula_key_is_an_accepted_input(gateway: Gateway) -> None:
    result = await gateway.query(
        '{ incentives(filter: {zipCode: "11215"}, inputs: [{key: "110percentAnnualConsumption", value: "7000"}]) '
        "{ totalCount } }"
    )
    assert "errors" not in result and result["data"]["incentives"]["totalCount"] > 0
    sent = gateway.sandbox.params_of("arcadia.incentives")[0]
    assert sent["110percentAnnualConsumption"] == "7000"


async def test_incentive_documents_sent_with_url_keep_it(gateway: Gateway) -> None:
    def reshape(route: str, payload: Any) -> Any:
        for doc in payload["results"][0].get("documents") or []:
            doc["url"] = doc.pop("documentUrl")
        return payload

    gateway.sandbox.reshape = reshape
    result = await gateway.query('{ incentive(id: "3158839", populateDocuments: true) { documents { url } } }')
    assert result["data"]["incentive"]["documents"] == [{"url": "https://www.law.cornell.edu/uscode/text/26/25D"}]


async def test_proposal_calls_ask_for_compressed_data(gateway: Gateway) -> None:
    await gateway.query('{ org { project(id: "3001") { proposal { projectId } } } }')
    assert gateway.sandbox.params_of("opensolar.proposal") == [{"project_ids": "3001", "compress_data": "1"}]
