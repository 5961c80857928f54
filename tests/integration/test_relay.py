"""Relay global object identification against the sandbox: node/nodes for every Node type, integer and
global ids interchangeable in every lookup, other types and other tenants refused, nodes capped and
read through the same loaders (the same upstream calls) as the lookup fields."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID
from gateway.sandbox.data import SandboxData
from schema.node_queries import MAX_NODES
from schema.relay.global_ids import encode
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings

pytestmark = pytest.mark.integration

A, B = RAW_DATA_ORG_ID, API_ACCESS_ORG_ID
INCENTIVE = 3302404
NODE = "query($id: ID!) { node(id: $id) { __typename id databaseId } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id databaseId ... on Project { title } } }"


def first_of(data: SandboxData, org_id: int) -> dict[str, tuple[int, ...]]:
    """One node of each org-scoped type in ``org_id``, as its global-id key."""
    org = data.orgs[org_id]
    project = data.projects[org.project_ids[0]]
    file_id = next(f.id for f in data.files.values() if f.org_id == org_id)
    hooks = [h.id for h in data.webhooks.values() if h.org_id == org_id]  # org B has none
    workflow = data.workflows[org.workflow_ids[0]]
    return ({"Webhook": (org_id, hooks[0])} if hooks else {}) | {
        "Org": (org_id,),
        "Project": (org_id, project.id),
        "Contact": (org_id, org.contact_ids[0]),
        "System": (org_id, project.system_ids[0]),
        "PrivateFile": (org_id, file_id),
        "Role": (org_id, org.role_ids[0]),
        "OrgWorkflow": (org_id, workflow.id),
        "WorkflowStage": (org_id, workflow.id, workflow.stages[1].id),
    }


async def an_event(gateway: Gateway) -> tuple[int, ...]:
    """A stage move writes an event on the project's timeline; its key."""
    await gateway.query('mutation { moveProjectStage(id: "3001", stageId: "52146") { id } }')
    result = await gateway.query('{ org { project(id: "3001") { events { databaseId } } } }')
    return (A, result["data"]["org"]["project"]["events"][0]["databaseId"])


async def every_node(gateway: Gateway) -> dict[str, tuple[int, ...]]:
    return {**first_of(gateway.sandbox.data, A), "Event": await an_event(gateway), "Incentive": (INCENTIVE,)}


async def test_node_reads_every_node_type_by_the_id_the_graph_gave(gateway: Gateway) -> None:
    nodes = await every_node(gateway)
    # the ids the graph hands out are the ones node(id:) takes
    listed = await gateway.query(
        """{ org { id project(id: "3001") { id systems { id } contacts { id }
             workflow { stage { id } definition { id stages { id } } } } roles { nodes { id } } } }"""
    )
    project = listed["data"]["org"]["project"]
    assert listed["data"]["org"]["id"] == encode("Org", A)
    assert project["id"] == encode("Project", A, 3001)
    assert project["workflow"]["stage"]["id"] in {s["id"] for s in project["workflow"]["definition"]["stages"]}
    for type_name, key in nodes.items():
        result = await gateway.query(NODE, {"id": encode(type_name, *key)})
        assert "errors" not in result, (type_name, result)
        assert result["data"]["node"] == {"__typename": type_name, "id": encode(type_name, *key), "databaseId": key[-1]}
    every = await gateway.query(NODES, {"ids": [encode(t, *k) for t, k in nodes.items()]})
    assert [n["__typename"] for n in every["data"]["nodes"]] == list(nodes)


LOOKUPS = [
    ('org(id: "%s") { id databaseId name }', "Org", "opensolar.org"),
    ('org { project(id: "%s") { id databaseId title } }', "Project", "opensolar.project_detail"),
    ('org { projectsByIds(ids: ["%s"]) { id databaseId title } }', "Project", "opensolar.project_detail"),
    ('org { contact(id: "%s") { id databaseId email } }', "Contact", "opensolar.contact"),
    ('org { system(id: "%s") { id databaseId uuid } }', "System", "opensolar.system"),
    ('org { privateFile(id: "%s") { id databaseId title } }', "PrivateFile", "opensolar.private_file"),
    ('org { webhook(id: "%s") { id databaseId endpoint } }', "Webhook", "opensolar.webhook"),
    ('org { role(id: "%s") { id databaseId display } }', "Role", "opensolar.role"),
    ('org { workflow(id: "%s") { id databaseId title } }', "OrgWorkflow", "opensolar.workflow"),
    ('incentive(id: "%s") { id databaseId incentiveName }', "Incentive", "arcadia.incentive"),
]


@pytest.mark.parametrize(
    ("field", "type_name", "route"), LOOKUPS, ids=[f"{t}:{f.split('(')[0]}" for f, t, _ in LOOKUPS]
)
async def test_a_lookup_takes_the_integer_or_the_global_id_alike(
    gateway: Gateway, field: str, type_name: str, route: str
) -> None:
    key = first_of(gateway.sandbox.data, A).get(type_name, (INCENTIVE,))
    integer, global_id = field % key[-1], field % encode(type_name, *key)
    result = await gateway.query("{ by_int: %s by_global: %s }" % (integer, global_id))
    assert "errors" not in result, result
    assert result["data"]["by_int"] == result["data"]["by_global"]
    assert "None" not in str(result["data"]["by_int"]) and str(key[-1]) in str(result["data"]["by_int"])
    assert gateway.sandbox.counts[route] == 1  # one loader key: the two forms are one read


@pytest.mark.parametrize(
    ("field", "type_name", "route"), LOOKUPS, ids=[f"{t}:{f.split('(')[0]}" for f, t, _ in LOOKUPS]
)
async def test_a_global_id_of_another_type_is_bad_request_before_the_read(
    gateway: Gateway, field: str, type_name: str, route: str
) -> None:
    other = "Role" if type_name != "Role" else "Contact"
    wrong = encode(other, *first_of(gateway.sandbox.data, A)[other])
    result = await gateway.query("{ %s }" % (field % wrong))
    error = errors_by_code(result)["BAD_REQUEST"][0]
    assert f"global id of a {other}, not of a {type_name}" in error["message"], error
    assert error["path"][-1] in {"org", "project", "projectsByIds", "contact", "system", "privateFile"} | {
        "webhook",
        "role",
        "workflow",
        "incentive",
    }
    assert gateway.sandbox.counts[route] == 0


@pytest.mark.parametrize(
    ("mutation", "argument"),
    [
        ('updateProject(id: "%(Contact)s", input: {notes: "x"}) { id }', "id"),
        ('deleteContact(id: "%(Project)s") { id }', "id"),
        ('moveProjectStage(id: "%(Project)s", stageId: "%(OrgWorkflow)s") { id }', "stageId"),
        ('assignProjectTeam(id: "%(Project)s", input: {designerRoleId: "%(Contact)s"}) { id }', "input.designerRoleId"),
        ('shareProject(id: "%(Project)s", orgIds: ["%(Project)s"]) { id }', "orgIds"),
        ('updatePrivateFile(id: "%(Webhook)s", input: {title: "x"}) { id }', "id"),
        ('disableWebhook(id: "%(PrivateFile)s") { id }', "webhook id"),
        ('deleteWorkflow(id: "%(WorkflowStage)s") { kind }', "id"),
    ],
)
async def test_mutations_refuse_a_global_id_of_another_type_before_any_call(
    gateway: Gateway, mutation: str, argument: str
) -> None:
    ids = {t: encode(t, *k) for t, k in first_of(gateway.sandbox.data, A).items()}
    result = await gateway.query("mutation { %s }" % (mutation % ids))
    assert errors_by_code(result)["BAD_REQUEST"][0]["extensions"]["argument"] == argument, result
    assert gateway.sandbox.total_calls == 0


async def test_a_mutation_takes_its_org_from_the_global_id(gateway: Gateway) -> None:
    project = first_of(gateway.sandbox.data, B)["Project"]
    moved = await gateway.query(
        'mutation($id: ID!) { updateProject(id: $id, input: {notes: "from B"}) { id databaseId org { databaseId } } }',
        {"id": encode("Project", *project)},
        token=gateway.api_access_token,
    )
    assert "errors" not in moved, moved
    assert moved["data"]["updateProject"]["org"] == {"databaseId": B}  # not the default org (A)
    assert gateway.sandbox.data.projects[project[1]].extra["notes"] == "from B"
    clash = await gateway.query(
        'mutation($id: ID!) { updateProject(id: $id, orgId: "%d", input: {notes: "x"}) { id } }' % A,
        {"id": encode("Project", *project)},
        token=gateway.api_access_token,
    )
    assert "belongs to org %d, not to org %d" % (B, A) in errors_by_code(clash)["BAD_REQUEST"][0]["message"]


async def test_a_stage_global_id_names_its_workflow(gateway: Gateway) -> None:
    stage = first_of(gateway.sandbox.data, A)["WorkflowStage"]
    moved = await gateway.query(
        'mutation($stage: ID!) { moveProjectStage(id: "3001", stageId: $stage) { workflow { stage { id } } } }',
        {"stage": encode("WorkflowStage", *stage)},
    )
    assert moved["data"]["moveProjectStage"]["workflow"]["stage"]["id"] == encode("WorkflowStage", *stage)
    assert gateway.sandbox.counts["opensolar.project_detail"] == 0  # no read for the workflow: the id named it


async def test_another_orgs_global_id_in_an_orgs_field_is_refused(gateway: Gateway) -> None:
    other = encode("Project", *first_of(gateway.sandbox.data, B)["Project"])
    result = await gateway.query('{ org { project(id: "%s") { title } } }' % other)
    error = errors_by_code(result)["BAD_REQUEST"][0]
    assert f"belongs to org {B}, not to org {A}" in error["message"] and error["path"] == ["org", "project"]
    assert gateway.sandbox.counts["opensolar.project_detail"] == 0


async def test_another_tenants_global_id_goes_through_the_callers_credential(gateway: Gateway) -> None:
    theirs = {t: encode(t, *k) for t, k in first_of(gateway.sandbox.data, B).items()}
    owner = await gateway.query(NODES, {"ids": list(theirs.values())}, token=gateway.api_access_token)
    assert "errors" not in owner and owner["data"]["nodes"][1]["title"]  # warm in every cache
    calls = gateway.sandbox.total_calls
    foreign = await gateway.query(NODES, {"ids": list(theirs.values())}, token=gateway.raw_token)
    assert foreign["data"]["nodes"] == [None] * len(theirs)
    assert {e["extensions"]["code"] for e in foreign["errors"]} <= {"FORBIDDEN", "NOT_FOUND"}
    assert sorted(e["path"][1] for e in foreign["errors"]) == list(range(len(theirs)))
    assert owner["data"]["nodes"][1]["title"] not in str(foreign)
    assert gateway.sandbox.total_calls > calls  # asked upstream under the caller's credential, never a cache
    single = await gateway.query(NODE, {"id": theirs["Project"]}, token=gateway.raw_token)
    assert single["data"] == {"node": None} and errors_by_code(single).keys() == {"FORBIDDEN"}
    assert single["errors"][0]["path"] == ["node"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("3001", "BAD_REQUEST"),  # an integer names no type
        ("not-an-id", "BAD_REQUEST"),
        (encode("Nope", 1), "BAD_REQUEST"),
        (encode("Project", A), "BAD_REQUEST"),  # a project's key holds its org
        (encode("Project", A, 999999), "NOT_FOUND"),
        (encode("WorkflowStage", A, 10422, 1), "NOT_FOUND"),
    ],
)
async def test_node_answers_a_bad_or_unknown_id_with_a_code_at_its_path(
    gateway: Gateway, value: str, code: str
) -> None:
    result = await gateway.query(NODE, {"id": value})
    assert result["data"] == {"node": None}
    assert [(e["extensions"]["code"], e["path"]) for e in result["errors"]] == [(code, ["node"])]


async def test_nodes_fails_per_index(gateway: Gateway) -> None:
    mine = encode("Project", A, 3001)
    theirs = encode("Project", *first_of(gateway.sandbox.data, B)["Project"])
    result = await gateway.query(NODES, {"ids": [mine, "garbage", theirs, encode("Contact", A, 3001), mine]})
    nodes = result["data"]["nodes"]
    assert [n["databaseId"] if n else None for n in nodes] == [3001, None, None, None, 3001]
    found = {e["path"][1]: e["extensions"]["code"] for e in result["errors"]}
    assert found == {1: "BAD_REQUEST", 2: "FORBIDDEN", 3: "NOT_FOUND"}


async def test_nodes_is_capped_at_its_limit_and_one_past_is_refused_before_any_read(gateway: Gateway) -> None:
    project = encode("Project", A, 3001)
    at_cap = await gateway.query(NODES, {"ids": [project] * MAX_NODES})
    assert "errors" not in at_cap and len(at_cap["data"]["nodes"]) == MAX_NODES
    assert gateway.sandbox.counts["opensolar.project_detail"] == 1  # the same id is read once
    calls = gateway.sandbox.total_calls
    past = await gateway.query(NODES, {"ids": [project] * (MAX_NODES + 1)})
    assert past["data"] == {"nodes": None}
    assert [(e["extensions"]["code"], e["path"]) for e in past["errors"]] == [("BAD_REQUEST", ["nodes"])]
    assert gateway.sandbox.total_calls == calls


def reads(gateway: Gateway) -> Counter[tuple[str, str]]:
    return Counter((route, path) for route, path, _ in gateway.sandbox.calls if route != "opensolar.org")


async def test_nodes_makes_the_upstream_calls_the_loaders_would(gateway_factory: GatewayFactory) -> None:
    ids = [3001, 3002, 3003, 3004, 3005]
    uncached = sandbox_settings(GATEWAY_CACHE=False, GATEWAY_RESPONSE_CACHE=False)  # only the loaders de-duplicate
    async with gateway_factory(uncached) as by_nodes:
        key = first_of(by_nodes.sandbox.data, A)
        result = await by_nodes.query(
            NODES,
            {
                "ids": [encode("Project", A, i) for i in [*ids, 3001]]  # one twice: read once
                + [encode("Contact", *key["Contact"]), encode("Role", *key["Role"])]
            },
        )
        assert "errors" not in result
        via_nodes = reads(by_nodes)
    async with gateway_factory(uncached) as by_fields:
        result = await by_fields.query(
            '{ org { projectsByIds(ids: [%s]) { title } contact(id: "%d") { email } role(id: "%d") { display } } }'
            % (", ".join(f'"{i}"' for i in ids), key["Contact"][1], key["Role"][1])
        )
        assert "errors" not in result
        via_fields = reads(by_fields)
    assert via_nodes == via_fields
    assert sum(n for (route, _), n in via_nodes.items() if route == "opensolar.project_detail") == len(ids)
    async with gateway_factory(uncached) as both:
        shared = await both.query(
            '{ node(id: "%s") { id } org { project(id: "3001") { title } } }' % encode("Project", A, 3001)
        )
        assert "errors" not in shared and both.sandbox.counts["opensolar.project_detail"] == 1  # one loader key


async def test_readme_node_example_is_what_the_sandbox_answers(gateway: Gateway) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    query = readme.split("<!-- node-query -->\n```graphql\n", 1)[1].split("```", 1)[0]
    answer = json.loads(readme.split("<!-- node-answer -->\n```json\n", 1)[1].split("```", 1)[0])
    assert await gateway.query(query) == answer


@pytest.mark.parametrize(
    ("mutation", "argument"),
    [
        ('updateProject(id: "3001", input: {contactIds: ["%(Contact)s"]}) { id }', "input.contactIds"),
        ('assignProjectTeam(id: "3001", input: {designerRoleId: "%(Role)s"}) { id }', "input.designerRoleId"),
        (
            'createWorkflow(input: {title: "w", stages: [{id: "%(WorkflowStage)s", title: "s", milestone: 0}]}) { id }',
            "input.stages.0.id",
        ),
    ],
    ids=["contactIds", "roleId", "stageId"],
)
async def test_another_orgs_global_id_inside_a_mutation_input_is_refused(
    gateway: Gateway, mutation: str, argument: str
) -> None:
    """Linked in the write's org, another org's id would name whichever node there has the same number."""
    theirs = {t: encode(t, *k) for t, k in first_of(gateway.sandbox.data, B).items()}
    result = await gateway.query("mutation { %s }" % (mutation % theirs))
    error = errors_by_code(result)["BAD_REQUEST"][0]
    assert error["extensions"]["argument"] == argument, result
    assert f"belongs to org {B}, not to org {A}" in error["message"]
    assert gateway.sandbox.total_calls == 0
