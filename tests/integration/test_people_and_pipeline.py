"""The people and the pipeline as typed fields: roles, workflows and stages, assignments, events, webhook logs."""

from __future__ import annotations

import pytest

from tests.conftest import Gateway, errors_by_code

pytestmark = pytest.mark.integration


async def test_roles_workflows_and_a_projects_stage(gateway: Gateway) -> None:
    result = await gateway.query(
        """{ org {
          roles(ordering: IS_ADMIN_DESC) { nodes { id display email isAdmin jobTitle } }
          role(id: "101777") { display }
          workflows(isArchived: false) { id title isDefault stages { id title milestone order } }
          project(id: "3001") {
            stage workflow { activeStageId stage { databaseId title milestone } definition { title } }
          }
        } }"""
    )
    assert "errors" not in result, result["errors"]
    org = result["data"]["org"]
    assert org["roles"]["nodes"][0]["isAdmin"] is True and len(org["roles"]["nodes"]) == 5
    assert org["role"] == {"display": "Sam Designer"}
    assert [w["title"] for w in org["workflows"]] == ["Residential solar"]
    assert [s["milestone"] for s in org["workflows"][0]["stages"]] == [0, 1, 2, 3, 4]
    project = org["project"]
    assert project["workflow"]["stage"]["milestone"] == project["stage"]
    assert project["workflow"]["stage"]["databaseId"] == project["workflow"]["activeStageId"]
    assert project["workflow"]["definition"] == {"title": "Residential solar"}


async def test_assignments_events_tags_tariffs_and_facts(gateway: Gateway) -> None:
    await gateway.query(
        'mutation { assignProjectTeam(id: "3001", input: {designerRoleId: "101777", installerRoleId: "101776"}) '
        "{ id } }"
    )
    await gateway.query('mutation { moveProjectStage(id: "3001", stageId: "52147") { id } }')
    await gateway.query(
        'mutation { updateProject(id: "3001", input: {customProjectInfo2: "roof: tile", serialNumbersPanels: "SN1"}) '
        "{ id } }"
    )
    result = await gateway.query(
        """{ org { project(id: "3001") {
          assignedDesigner { roleId name email phone role { email } }
          assignedInstaller { name email }
          assignedSalesperson { name }
          events { id eventTypeId title }
          tags { title } stars projectSold projectInstalled systemSoldId systemInstalledId paymentOptionSoldId
          tariffs { current proposed }
          customProjectInfo serialNumbers { panels inverters }
          sharedWithOrgIds
        } } }"""
    )
    assert "errors" not in result, result["errors"]
    project = result["data"]["org"]["project"]
    assert project["assignedDesigner"] == {
        "roleId": "101777",
        "name": "Sam Designer",
        "email": "s****@s*******.com",
        "phone": "*****",
        "role": {"email": "sam.designer@solar001.com"},
    }
    assert project["assignedInstaller"] == {"name": "Pat Installer", "email": None}
    assert project["assignedSalesperson"] is None
    assert [e["eventTypeId"] for e in project["events"]] == [56]
    assert project["customProjectInfo"] == ["", "roof: tile", "", "", ""]
    assert project["serialNumbers"] == {"panels": "SN1", "inverters": ""}
    assert project["tariffs"]["current"]["code"] == "E-1"
    event_id = project["events"][0]["id"]
    event = await gateway.query("query($id: ID!) { org { event(id: $id) { title projectId } } }", {"id": event_id})
    assert event["data"]["org"]["event"]["projectId"] == "3001"


async def test_webhook_by_id_logs_and_queue(gateway: Gateway) -> None:
    result = await gateway.query(
        """{ org { webhook(id: "701") { endpoint }
           webhookLogs(first: 2) { pageInfo { hasNextPage } nodes { webhookId successful modelName eventName } }
           webhookQueue { nodes { webhookId numberOfAttempts } } } }"""
    )
    assert "errors" not in result, result["errors"]
    org = result["data"]["org"]
    assert org["webhook"]["endpoint"] == "https://crm.example.com/hooks/opensolar"
    assert org["webhookLogs"]["nodes"][0] == {
        "webhookId": "701",
        "successful": True,
        "modelName": "Project",
        "eventName": "UPDATE",
    }
    assert org["webhookQueue"]["nodes"] == [{"webhookId": "701", "numberOfAttempts": 2}]
    past_the_end = await gateway.query('{ org { webhookLogs(first: 50, after: "b2Zmc2V0OjEwMA==") { nodes { id } } } }')
    assert past_the_end["data"]["org"]["webhookLogs"]["nodes"] == []  # the documented 500 on an empty page
    missing = await gateway.query('{ org { webhook(id: "9") { id } } }')
    assert "NOT_FOUND" in errors_by_code(missing)


async def test_system_image_streams_under_the_callers_credential(gateway: Gateway) -> None:
    result = await gateway.query(
        '{ org { project(id: "3001") { systems { image(width: 640, height: 480) { url } } } } }'
    )
    url = result["data"]["org"]["project"]["systems"][0]["image"]["url"]
    response = await gateway.client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8") and response.content.endswith(b"\xff\xd9")
    assert response.headers["cache-control"] == "private, no-store"
    missing = await gateway.client.get(url.replace("project=3001", "project=3002"))
    assert missing.status_code == 404 and missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    statuses = [(await gateway.client.get(url)).status_code for _ in range(12)]
    assert statuses.count(200) == 7 and statuses.count(429) == 5  # 10/min per user with the 0.9 safety factor
    assert gateway.sandbox.statuses["opensolar.system_image:429"] == 0
    bad = await gateway.client.get(url.replace("width=640", "width=0"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["argument"] == "width"


async def test_workflow_writes_evict_the_cached_workflows(gateway: Gateway) -> None:
    listing = "{ org { workflows { title stages { title } } } }"
    assert len((await gateway.query(listing))["data"]["org"]["workflows"]) == 2
    created = await gateway.query(
        'mutation { createWorkflow(input: {title: "Battery retrofit", stages: [{title: "Survey", milestone: 0}, '
        '{title: "Fitted", milestone: 3}]}) { id title stages { id title milestone } } }'
    )
    flow = created["data"]["createWorkflow"]
    assert [s["milestone"] for s in flow["stages"]] == [0, 3]
    assert "Battery retrofit" in [w["title"] for w in (await gateway.query(listing))["data"]["org"]["workflows"]]
    replaced = await gateway.query(
        'mutation($id: ID!) { replaceWorkflow(id: $id, input: {title: "Retrofit", stages: [{title: "Done", '
        "milestone: 3}]}) { title stages { title } } }",
        {"id": flow["id"]},
    )
    assert replaced["data"]["replaceWorkflow"] == {"title": "Retrofit", "stages": [{"title": "Done"}]}
    deleted = await gateway.query("mutation($id: ID!) { deleteWorkflow(id: $id) { kind } }", {"id": flow["id"]})
    assert deleted["data"]["deleteWorkflow"] == {"kind": "workflow"}
    assert len((await gateway.query(listing))["data"]["org"]["workflows"]) == 2
    in_use = await gateway.query('mutation { deleteWorkflow(id: "10422") { kind } }')
    assert "BAD_REQUEST" in errors_by_code(in_use)
    bad = await gateway.query(
        'mutation { createWorkflow(input: {title: "x", stages: [{title: "y", milestone: 9}]}) { id } }'
    )
    assert errors_by_code(bad)["BAD_REQUEST"][0]["extensions"]["argument"] == "input.stages.0.milestone"


async def test_private_files_exclude_a_tag_and_filter_by_user(gateway: Gateway) -> None:
    result = await gateway.query(
        "{ org { all: privateFiles(first: 100) { nodes { id } } "
        'noPhotos: privateFiles(first: 100, fileTagExclude: "Extra File") { nodes { tags { title } } } '
        'other: privateFiles(userId: "2") { nodes { id } } } }'
    )
    org = result["data"]["org"]
    assert all(t["title"] != "Extra File" for f in org["noPhotos"]["nodes"] for t in f["tags"])
    assert org["noPhotos"]["nodes"] and org["all"]["nodes"]
    assert any(p.get("user_id") == "2" for p in gateway.sandbox.params_of("opensolar.private_files"))
    assert org["other"]["nodes"] == []
