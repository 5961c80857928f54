from __future__ import annotations

import base64
import gzip
import json

import httpx

from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, Fault, SandboxConfig, SandboxState

RAW, API = RAW_DATA_ORG_ID, API_ACCESS_ORG_ID


def auth(state: SandboxState, org_id: int = RAW) -> dict[str, str]:
    return {"Authorization": f"Bearer {state.data.orgs[org_id].token}"}


def test_data_is_seeded_deterministic_and_realistic() -> None:
    one, two = SandboxState(SandboxConfig()), SandboxState(SandboxConfig())
    assert len(one.data.orgs[RAW].project_ids) >= 100
    assert [(p.id, p.address, p.usage_annual_kwh) for p in one.data.projects.values()] == [
        (p.id, p.address, p.usage_annual_kwh) for p in two.data.projects.values()
    ]
    assert [s.uuid for s in one.data.systems.values()] == [s.uuid for s in two.data.systems.values()]
    other = SandboxState(SandboxConfig(seed=8))
    assert [s.uuid for s in other.data.systems.values()] != [s.uuid for s in one.data.systems.values()]
    token = one.data.orgs[RAW].token
    assert len(token) == 40 and int(token, 16) >= 0  # DRF-style 40-hex


async def test_lists_are_bare_arrays_with_absolute_links(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    response = await upstream.get(f"/api/orgs/{RAW}/projects/", params={"page": 2, "limit": 5}, headers=auth(state))
    rows = response.json()
    assert response.status_code == 200 and isinstance(rows, list) and len(rows) == 5
    row = rows[0]
    assert row["url"] == f"http://sandbox.test/api/orgs/{RAW}/projects/{row['id']}/"
    assert row["contacts"][0].startswith("http://sandbox.test/api/orgs/") and row["contacts_data"][0]["id"]
    assert "design" not in row and "systems" not in row  # list rows are abbreviated
    past_end = await upstream.get(f"/api/orgs/{RAW}/projects/", params={"page": 99, "limit": 5}, headers=auth(state))
    assert past_end.json() == []


async def test_design_is_real_gzip_base64_consistent_with_systems(
    upstream: httpx.AsyncClient, state: SandboxState
) -> None:
    project = next(p for p in state.data.projects.values() if len(p.system_ids) > 1)
    detail = (await upstream.get(f"/api/orgs/{RAW}/projects/{project.id}/", headers=auth(state))).json()
    assert detail["design"].startswith("H4sI")
    design = json.loads(gzip.decompress(base64.b64decode(detail["design"])))
    scene_systems = [c for c in design["object"]["children"] if c["type"] == "OsSystem"]
    assert [s["uuid"] for s in scene_systems] == [s["uuid"] for s in detail["systems"]]
    for node, entry in zip(scene_systems, detail["systems"], strict=True):
        panels = sum(len(grid["children"]) for grid in node["children"])
        assert panels == node["userData"]["moduleQuantity"] == entry["module_quantity"]
        assert node["userData"]["kwStc"] == entry["kw_stc"]
    assert design["object"]["userData"]["sceneOrigin4326"] == [project.lon, project.lat]


async def test_api_access_plan_restrictions(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    pid = state.data.orgs[API].project_ids[0]
    detail = (await upstream.get(f"/api/orgs/{API}/projects/{pid}/", headers=auth(state, API))).json()
    assert detail["design"] is None
    details = (await upstream.get(f"/api/orgs/{API}/projects/{pid}/systems/details/", headers=auth(state, API))).json()
    assert all("custom_data" not in s for s in details["systems"])
    proposal = await upstream.get("/api/user_logins/", params={"project_ids": pid}, headers=auth(state, API))
    assert proposal.status_code == 402


async def test_auth_and_org_scoping(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    missing = await upstream.get(f"/api/orgs/{RAW}/contacts/")
    assert missing.status_code == 401 and missing.json() == {"detail": "Authentication credentials were not provided."}
    bad = await upstream.get(f"/api/orgs/{RAW}/contacts/", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}
    other = await upstream.get(f"/api/orgs/{API}/contacts/", headers=auth(state))
    assert other.status_code == 403
    foreign = state.data.orgs[API].project_ids[0]
    assert (await upstream.get(f"/api/orgs/{RAW}/projects/{foreign}/", headers=auth(state))).status_code == 404
    assert (
        await upstream.get("/api/user_logins/", params={"project_ids": foreign}, headers=auth(state))
    ).status_code == 403


async def test_systems_require_fieldset_list(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    response = await upstream.get(f"/api/orgs/{RAW}/systems/", headers=auth(state))
    assert response.status_code == 400 and "fieldset" in response.json()


async def test_trailing_slashes_like_django(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    assert (await upstream.get(f"/api/orgs/{RAW}/contacts", headers=auth(state))).status_code == 200
    write = await upstream.post(f"/api/orgs/{RAW}/webhooks", headers=auth(state), json={})
    assert write.status_code == 301 and write.headers["location"].endswith("/webhooks/")


async def test_system_details_parts_and_sold(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    project = next(
        p for p in state.data.projects.values() if p.org_id == RAW and p.sold_system_id and len(p.system_ids) > 1
    )
    path = f"/api/orgs/{RAW}/projects/{project.id}/systems/details/"
    both = await upstream.get(path, params={"include_parts": "mcs", "exclude_parts": "x"}, headers=auth(state))
    assert both.status_code == 400
    sold = (await upstream.get(path, params={"limit_to_sold": "true"}, headers=auth(state))).json()
    assert [s["id"] for s in sold["systems"]] == [project.sold_system_id]
    mcs = (await upstream.get(path, params={"include_parts": "mcs"}, headers=auth(state))).json()
    assert "mcs" in mcs["systems"][0]["data"]


async def test_project_detail_throttle_like_drf(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    pid = state.data.orgs[RAW].project_ids[0]
    statuses = [
        (await upstream.get(f"/api/orgs/{RAW}/projects/{pid}/", headers=auth(state))).status_code for _ in range(100)
    ]
    assert set(statuses) == {200}
    throttled = await upstream.get(f"/api/orgs/{RAW}/projects/{pid}/", headers=auth(state))
    assert throttled.status_code == 429
    retry = int(throttled.headers["Retry-After"])
    assert 1 <= retry <= 60
    assert throttled.json() == {"detail": f"Request was throttled. Expected available in {retry} seconds."}
    # another endpoint class has its own budget
    assert (await upstream.get(f"/api/orgs/{RAW}/contacts/", headers=auth(state))).status_code == 200


async def test_webhook_validation_and_no_delete(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    bad = await upstream.post(f"/api/orgs/{RAW}/webhooks/", headers=auth(state), json={"enabled": True})
    assert bad.status_code == 400 and bad.json() == {"debug": ["This field is required."]}
    created = await upstream.post(
        f"/api/orgs/{RAW}/webhooks/",
        headers=auth(state),
        json={"endpoint": "https://x.test/h", "enabled": True, "debug": False, "headers": '{"X-Secret": "s"}'},
    )
    assert created.status_code == 201
    hook_id = created.json()["id"]
    deleted = await upstream.delete(f"/api/orgs/{RAW}/webhooks/{hook_id}/", headers=auth(state))
    assert deleted.status_code == 405 and "PATCH" in deleted.headers["allow"]
    patched = await upstream.patch(f"/api/orgs/{RAW}/webhooks/{hook_id}/", headers=auth(state), json={"enabled": False})
    assert patched.json()["enabled"] is False


async def test_counters_and_faults(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    state.faults.append(Fault(route="opensolar.contacts", status=503, times=1))
    first = await upstream.get(f"/api/orgs/{RAW}/contacts/", headers=auth(state))
    second = await upstream.get(f"/api/orgs/{RAW}/contacts/", headers=auth(state))
    assert (first.status_code, second.status_code) == (503, 200)
    state.faults.append(Fault(route="opensolar.*", body="{oops"))
    assert (await upstream.get(f"/api/orgs/{RAW}/contacts/", headers=auth(state))).text == "{oops"
    assert state.counts["opensolar.contacts"] == 3
    assert state.statuses["opensolar.contacts:503"] == 1
    stats = (await upstream.get("/_sandbox/stats")).json()
    assert stats["routes"]["opensolar.contacts"] == 3
    await upstream.post("/_sandbox/faults", json={"route": "opensolar.org", "status": 500})
    assert (await upstream.get(f"/api/orgs/{RAW}/", headers=auth(state))).status_code == 500
    await upstream.post("/_sandbox/reset")
    assert state.total_calls == 0 and not state.faults


async def test_token_login(upstream: httpx.AsyncClient, state: SandboxState) -> None:
    ok = await upstream.post("/api-token-auth/", json={"username": f"pro@{RAW}.sandbox", "password": "sandbox"})
    assert ok.json()["token"] == state.data.orgs[RAW].token and ok.json()["org_id"] == RAW
    assert (await upstream.post("/api-token-auth/", json={"username": "x", "password": "y"})).status_code == 400
