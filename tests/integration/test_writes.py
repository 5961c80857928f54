"""Writes against the sandbox: the whole project lifecycle, fresh reads after each write, pacing, plans."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gateway.sandbox import RAW_DATA_ORG_ID
from schema.pagination import encode_cursor
from tests.conftest import Gateway, errors_by_code

pytestmark = pytest.mark.integration

PROJECT_PAGE = "query($after: String) { org { projects(first: 50, after: $after) { nodes { id title } } } }"
LATE_PAGE = {"after": encode_cursor(100)}  # rows 101-150: the sandbox's 120 projects end there, new ones follow
DETAIL = """query($id: ID!) { org { project(id: $id) {
  title address zip usage usageAnnualKwh stage workflow { workflowId activeStageId }
  contacts { id firstName email }
  privateFiles { id title filesize tags { title } }
} } }"""


async def upload(gateway: Gateway, query: str, variables: dict[str, Any], content: bytes, name: str) -> Any:
    operations = {"query": query, "variables": {**variables, "file": None}}
    response = await gateway.client.post(
        "/graphql",
        data={"operations": orjson.dumps(operations).decode(), "map": orjson.dumps({"0": ["variables.file"]}).decode()},
        files={"0": (name, content, "application/pdf")},
    )
    return response


def page_ids(result: dict[str, Any]) -> list[str]:
    return [node["id"] for node in result["data"]["org"]["projects"]["nodes"]]


async def test_project_lifecycle_reads_are_fresh_after_every_write(gateway: Gateway) -> None:
    before = page_ids(await gateway.query(PROJECT_PAGE, LATE_PAGE))
    created = await gateway.query(
        """mutation { createProject(input: {address: "1 Solar Way", zip: "94105", state: "CA",
             contactsNew: [{firstName: "Ada", familyName: "Lovelace", email: "ada@example.com", gender: FEMALE}]})
           { id title contacts { id firstName } } }"""
    )
    project = created["data"]["createProject"]
    assert project["title"] == "1 Solar Way" and project["contacts"][0]["firstName"] == "Ada"
    after = page_ids(await gateway.query(PROJECT_PAGE, LATE_PAGE))
    assert after == [*before, project["id"]]  # the cached page was evicted, not served for its TTL

    first = (await gateway.query(DETAIL, {"id": project["id"]}))["data"]["org"]["project"]
    assert first["workflow"]["activeStageId"] == 52144 and first["privateFiles"] == []
    moved = await gateway.query(
        'mutation($id: ID!) { moveProjectStage(id: $id, stageId: "52146") { stage workflow { activeStageId } } }',
        {"id": project["id"]},
    )
    assert moved["data"]["moveProjectStage"] == {"stage": 2, "workflow": {"activeStageId": 52146}}
    usage = await gateway.query(
        "mutation($id: ID!) { updateProjectUsage(id: $id, input: {source: KWH_QUARTERLY, values: [1500, 1200, 1800, "
        "1500]}) { usageAnnualKwh } }",
        {"id": project["id"]},
    )
    assert usage["data"]["updateProjectUsage"] == {"usageAnnualKwh": 6000.0}
    uploaded = await upload(
        gateway,
        "mutation($file: Upload!, $project: ID) { uploadPrivateFile(input: {file: $file, projectId: $project, "
        'title: "Utility bill", tagIds: ["47"]}) { id title filesize } }',
        {"project": project["id"]},
        b"%PDF-1.7 sandbox bill",
        "bill.pdf",
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["data"]["uploadPrivateFile"]["filesize"] == len(b"%PDF-1.7 sandbox bill")
    document = await gateway.query(
        'mutation($id: ID!) { generateDocument(projectId: $id, input: {documentType: "proposal"}) { id title } }',
        {"id": project["id"]},
    )
    assert document["data"]["generateDocument"]["title"] == "Proposal - 1 Solar Way"

    everything = (await gateway.query(DETAIL, {"id": project["id"]}))["data"]["org"]["project"]
    assert everything["workflow"]["activeStageId"] == 52146 and everything["stage"] == 2
    assert everything["usage"] == {"usage_data_source": "kwh_quarterly", "values": [1500.0, 1200.0, 1800.0, 1500.0]}
    assert sorted(f["title"] for f in everything["privateFiles"]) == ["Proposal - 1 Solar Way", "Utility bill"]
    assert everything["contacts"] == [
        {"id": project["contacts"][0]["id"], "firstName": "Ada", "email": "ada@example.com"}
    ]

    deleted = await gateway.query("mutation($id: ID!) { deleteProject(id: $id) { id kind } }", {"id": project["id"]})
    assert deleted["data"]["deleteProject"] == {"id": project["id"], "kind": "project"}
    gone = await gateway.query(DETAIL, {"id": project["id"]})
    assert "NOT_FOUND" in errors_by_code(gone)
    assert page_ids(await gateway.query(PROJECT_PAGE, LATE_PAGE)) == before


async def test_a_burst_of_updates_meets_no_upstream_429(gateway: Gateway) -> None:
    mutation = 'mutation($n: String) { updateProject(id: "3001", input: {notes: $n}) { id } }'
    results = [await gateway.query(mutation, {"n": f"note {n}"}) for n in range(30)]
    done = [r for r in results if "errors" not in r]
    throttled = [e for r in results for e in errors_by_code(r).get("THROTTLED", [])]
    assert len(done) + len(throttled) == 30
    assert len(done) == 9  # 10/min per user, with the 0.9 safety factor
    assert all(e["extensions"]["retryAfter"] > 0 for e in throttled)
    assert gateway.sandbox.statuses["opensolar.project_update:429"] == 0
    assert gateway.sandbox.counts["opensolar.project_update"] == 9


@pytest.mark.parametrize(
    ("mutation", "argument"),
    [
        ('createProject(input: {address: ""}) { id }', "input.address"),
        ('createProject(input: {address: "x", lat: 91}) { id }', "input.lat"),
        ('createProject(input: {address: "x", priority: 7}) { id }', "input.priority"),
        ('createProject(input: {address: "x", countryIso2: "USA"}) { id }', "input.countryIso2"),
        ('createProject(input: {address: "x", contactsNew: [{phone: "1"}]}) { id }', "input.contactsNew.0"),
        ('createProject(input: {address: "x", contactsNew: [{email: "nope"}]}) { id }', "input.contactsNew.0.email"),
        ('updateProject(id: "3001", input: {}) { id }', "input"),
        ('updateProject(id: "3001", input: {contactIds: ["5001", "5001"]}) { id }', "input.contactIds"),
        ('updateProject(id: "abc", input: {notes: "x"}) { id }', "id"),
        ('updateProjectUsage(id: "3001", input: {source: KWH_MONTHLY, values: [1, 2]}) { id }', "input.values"),
        ('updateProjectUsage(id: "3001", input: {source: KWH_ANNUAL, values: [-5]}) { id }', "input.values.0"),
        ('updateProjectUsage(id: "3001", input: {source: ESTIMATE, values: [1]}) { id }', "input.estimate"),
        (
            'updateProjectUsage(id: "3001", input: {source: BILL_ANNUAL, estimate: LOW, values: [1]}) { id }',
            "input.estimate",
        ),
        ('moveProjectStage(id: "3001", stageId: "x") { id }', "stageId"),
        ('assignProjectTeam(id: "3001", input: {}) { id }', "input"),
        ('assignProjectTeam(id: "3001", input: {designerRoleId: "x"}) { id }', "input.designerRoleId"),
        ('shareProject(id: "3001", orgIds: ["1002", "1002"]) { id }', "orgIds"),
        ('createContact(input: {phone: "1"}) { id }', "input"),
        ('updateContact(id: "5001", input: {firstName: "' + "x" * 101 + '"}) { id }', "input.firstName"),
        ('updatePrivateFile(id: "9001", input: {title: " "}) { id }', "input.title"),
        ('generateDocument(projectId: "3001", input: {documentType: "../x"}) { id }', "input.documentType"),
        (
            'generateDocument(projectId: "3001", input: {documentType: "proposal", language: "xx!"}) { id }',
            "input.language",
        ),
        (
            'generateDocument(projectId: "3001", input: {documentType: "proposal", systemUuid: "1"}) { id }',
            "input.systemUuid",
        ),
    ],
)
async def test_bad_input_is_refused_before_any_upstream_call(gateway: Gateway, mutation: str, argument: str) -> None:
    result = await gateway.query(f"mutation {{ {mutation} }}")
    errors = errors_by_code(result)
    assert list(errors) == ["BAD_REQUEST"], result
    assert errors["BAD_REQUEST"][0]["extensions"]["argument"] == argument
    assert gateway.sandbox.total_calls == 0


async def test_upstream_refusals_carry_clear_codes(gateway: Gateway) -> None:
    gateway.sandbox.data.orgs[RAW_DATA_ORG_ID].wallet_empty = True
    blocked = await gateway.query('mutation { createProject(input: {address: "2 Solar Way"}) { id } }')
    error = errors_by_code(blocked)["PLAN_REQUIRED"][0]
    assert error["extensions"]["reason"] == "WALLET_EMPTY" and error["extensions"]["plan"] == "API_ACCESS"
    bad_stage = await gateway.query('mutation { moveProjectStage(id: "3001", stageId: "99") { id } }')
    assert errors_by_code(bad_stage)["BAD_REQUEST"][0]["extensions"]["fields"] == {
        "active_stage_id": ['Invalid pk "99" - object does not exist.']
    }
    other_org = await gateway.query('mutation { updateProject(id: "3001", orgId: "1002", input: {notes: "x"}) { id } }')
    assert "FORBIDDEN" in errors_by_code(other_org)
    not_shared = await gateway.query('mutation { shareProject(id: "3001", orgIds: ["4242"]) { id } }')
    assert "BAD_REQUEST" in errors_by_code(not_shared)
    assert gateway.sandbox.counts["opensolar.project_update"] == 3  # one call each, none retried


async def test_team_sharing_and_patch_return_the_upstream_record(gateway: Gateway) -> None:
    team = await gateway.query(
        'mutation { assignProjectTeam(id: "3001", input: {assignedRoleId: "101777"}) { assignedRole { id name } } }'
    )
    assert team["data"]["assignProjectTeam"]["assignedRole"] == {"id": "101777", "name": "Sam Designer"}
    shared = await gateway.query('mutation { shareProject(id: "3001", orgIds: ["1002"]) { id } }')
    assert "errors" not in shared
    assert gateway.sandbox.data.projects[3001].shared_with == [1002]
    patched = await gateway.query(
        'mutation { updateProject(id: "3001", input: {title: "Renamed", lat: 37.5}) { title lat } }'
    )
    assert patched["data"]["updateProject"] == {"title": "Renamed", "lat": 37.5}


async def test_contact_writes_and_fresh_reads(gateway: Gateway) -> None:
    read = "query($id: ID!) { org { contact(id: $id) { firstName email } } }"
    created = await gateway.query(
        'mutation { upsertContact(input: {firstName: "Grace", email: "g@example.com"}) { id } }'
    )
    contact_id = created["data"]["upsertContact"]["id"]
    assert (await gateway.query(read, {"id": contact_id}))["data"]["org"]["contact"]["firstName"] == "Grace"
    updated = await gateway.query(
        'mutation($id: ID) { upsertContact(id: $id, input: {firstName: "Ada"}) { firstName email } }',
        {"id": contact_id},
    )
    assert updated["data"]["upsertContact"] == {"firstName": "Ada", "email": "g@example.com"}  # PUT keeps email
    assert (await gateway.query(read, {"id": contact_id}))["data"]["org"]["contact"]["firstName"] == "Ada"
    await gateway.query("mutation($id: ID!) { deleteContact(id: $id) { id } }", {"id": contact_id})
    assert "NOT_FOUND" in errors_by_code(await gateway.query(read, {"id": contact_id}))


async def test_file_rename_tag_and_delete(gateway: Gateway) -> None:
    renamed = await gateway.query(
        'mutation { updatePrivateFile(id: "9001", input: {title: "Renamed", tagIds: ["48", "50"]}) '
        "{ title tags { id title } } }"
    )
    assert renamed["data"]["updatePrivateFile"] == {
        "title": "Renamed",
        "tags": [{"id": "48", "title": "Contract"}, {"id": "50", "title": "Site Photo"}],
    }
    deleted = await gateway.query('mutation { deletePrivateFile(id: "9001") { kind } }')
    assert deleted["data"]["deletePrivateFile"] == {"kind": "privateFile"}
    assert "NOT_FOUND" in errors_by_code(await gateway.query('{ org { privateFile(id: "9001") { id } } }'))


async def test_a_created_webhook_is_listed_at_once(gateway: Gateway) -> None:
    listing = "{ org { webhooks { nodes { endpoint } } } }"
    await gateway.query(listing)
    await gateway.query('mutation { createWebhook(input: {endpoint: "https://me.test/new"}) { id } }')
    endpoints = [n["endpoint"] for n in (await gateway.query(listing))["data"]["org"]["webhooks"]["nodes"]]
    assert "https://me.test/new" in endpoints


async def test_mutations_are_never_stored_in_the_response_cache(gateway: Gateway) -> None:
    cache = gateway.runtime.caches.responses
    assert cache is not None
    mutation = 'mutation { updateContact(id: "5001", input: {phone: "1"}) { id phone } }'
    for _ in range(2):
        assert "errors" not in await gateway.query(mutation)
    assert gateway.sandbox.counts["opensolar.contact_update"] == 2
    assert cache.stats["stores"] == 0


async def test_uploads_are_bounded_and_screened(gateway: Gateway) -> None:
    query = "mutation($file: Upload!) { uploadPrivateFile(input: {file: $file}) { id } }"
    limit = gateway.runtime.settings.max_upload_bytes + gateway.runtime.settings.max_body_bytes
    too_big = await upload(gateway, query, {}, b"x" * (limit + 1), "big.bin")
    assert too_big.status_code == 413 and too_big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    batch = await gateway.client.post(
        "/graphql",
        data={"operations": "[]", "map": "{}"},
        files={"0": ("a.txt", b"a", "text/plain")},
    )
    assert batch.json()["errors"][0]["extensions"]["code"] == "BATCHING_DISABLED"
    assert gateway.sandbox.total_calls == 0
