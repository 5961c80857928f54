"""The webhook receiver over real HTTP: per-org secrets, per-org tags, and registering only our own receiver."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.app import create_app
from gateway.http.webhooks import org_secret
from gateway.sandbox import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, SandboxConfig, SandboxState, sandbox_token
from tests.conftest import sandbox_settings
from tests.integration.live import Live, serving

pytestmark = pytest.mark.integration

SECRET = "receiver-secret-for-tests"
PUBLIC = "https://gw.example.com/"
A, B = RAW_DATA_ORG_ID, API_ACCESS_ORG_ID
TOKENS = {A: sandbox_token(f"raw_data:{A}"), B: sandbox_token(f"api_access:{B}")}
PROJECT = '{ org(id: "%d") { project(id: "%d") { title county systems { kwStc } } } }'
PROJECTS = '{ org(id: "%d") { projects(first: 5) { nodes { id title } } } }'


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    sandbox = SandboxState(SandboxConfig())
    settings = sandbox_settings(GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_PUBLIC_URL=PUBLIC, GATEWAY_RESPONSE_CACHE=False)
    async with serving(create_app(settings, sandbox=sandbox)) as running:
        yield running


def sandbox_of(live: Live) -> SandboxState:
    sandbox = live.runtime.upstreams.sandbox
    assert sandbox is not None
    return sandbox


def first_project(live: Live, org: int) -> int:
    return sandbox_of(live).data.orgs[org].project_ids[0]


async def post(live: Live, path: str, secret: str | None, body: Any) -> int:
    headers = {"X-Solar-Gateway-Secret": secret} if secret is not None else {}
    return (await live.http.post(path, headers=headers, json=body)).status_code


async def test_a_webhook_evicts_what_it_made_stale_in_its_org(live: Live) -> None:
    sandbox = sandbox_of(live)
    ours = sandbox.data.orgs[A].project_ids
    for pid in ours[:2]:
        await live.query(PROJECT % (A, pid), TOKENS[A])
    before = dict(sandbox.counts)
    response = await live.hook(A, "Project", ours[0], fields={"title": "renamed"})
    tags = [f"opensolar:{A}:project:{ours[0]}", f"opensolar:{A}:project_systems:{ours[0]}"]
    assert response.status_code == 200 and response.json()["tags"] == tags  # the title alone proves nothing else
    assert response.json()["evicted"] == 1  # its detail (which carries its systems)
    for pid in ours[:2]:
        await live.query(PROJECT % (A, pid), TOKENS[A])
    assert sandbox.counts == {**before, "opensolar.project_detail": before["opensolar.project_detail"] + 1}


async def test_one_orgs_secret_forges_nothing_for_another(live: Live) -> None:
    sandbox = sandbox_of(live)
    theirs = first_project(live, A)
    await live.query(PROJECT % (A, theirs), TOKENS[A])
    calls = sandbox.counts["opensolar.project_detail"]
    body = {"model": "Project", "model_id": theirs, "event": "UPDATE", "fields": {"org_id": A}}
    secret_b = org_secret(SECRET, B)
    assert secret_b != org_secret(SECRET, A)
    assert await post(live, f"/webhooks/opensolar/{A}", secret_b, body) == 401  # B's secret at A's receiver
    forged = await live.http.post(f"/webhooks/opensolar/{B}", headers={"X-Solar-Gateway-Secret": secret_b}, json=body)
    assert forged.status_code == 200 and forged.json()["evicted"] == 0
    assert forged.json()["tags"] == [f"opensolar:{B}:project:{theirs}", f"opensolar:{B}:project_systems:{theirs}"]
    await live.query(PROJECT % (A, theirs), TOKENS[A])
    assert sandbox.counts["opensolar.project_detail"] == calls  # A's entry is still served from cache


async def test_a_create_in_one_org_leaves_other_orgs_lists_alone(live: Live) -> None:
    sandbox = sandbox_of(live)
    for org in (A, B):
        assert (await live.query(PROJECTS % org, TOKENS[org]))["data"]["org"]["projects"]["nodes"]
    assert sandbox.counts["opensolar.projects"] == 2
    response = await live.hook(B, "Project", 999_999, "CREATE")
    assert sorted(response.json()["tags"]) == [
        f"opensolar:{B}:list:projects",
        f"opensolar:{B}:project:999999",
        f"opensolar:{B}:project_systems:999999",
    ]
    for org in (A, B):
        await live.query(PROJECTS % org, TOKENS[org])
    assert sandbox.counts["opensolar.projects"] == 3  # B's list again; A's still cached
    assert [path for _, path, _ in sandbox.calls if path.endswith("/projects/")][-1] == f"/api/orgs/{B}/projects/"


async def test_the_secret_is_compared_in_constant_time(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    body = {"model": "Contact", "model_id": 5001, "event": "UPDATE"}
    assert await post(live, f"/webhooks/opensolar/{A}", "wrong", body) == 401
    assert await post(live, f"/webhooks/opensolar/{A}", org_secret(SECRET, A), body) == 200
    expected = org_secret(SECRET, A).encode()
    assert compared == [(b"wrong", expected), (expected, expected)]


@pytest.mark.parametrize(
    ("path", "secret", "body", "status"),
    [
        (f"/webhooks/opensolar/{A}", None, {"model": "Project", "model_id": 1, "event": "UPDATE"}, 401),
        (f"/webhooks/opensolar/{A}", "wrong", {"model": "Project", "model_id": 1, "event": "UPDATE"}, 401),
        (f"/webhooks/opensolar/{A}", SECRET, {"model": "Project", "model_id": 1, "event": "UPDATE"}, 401),
        ("/webhooks/opensolar", SECRET, {"model": "Project", "model_id": 1, "event": "UPDATE"}, 404),
        ("/webhooks/opensolar/x1", "any", {"model": "Project", "model_id": 1, "event": "UPDATE"}, 404),
        (f"/webhooks/opensolar/{A}", "A", {"model": "Spaceship", "model_id": 1, "event": "UPDATE"}, 400),
        (f"/webhooks/opensolar/{A}", "A", {"model": "Project", "model_id": "x", "event": "UPDATE"}, 400),
        (f"/webhooks/opensolar/{A}", "A", {"model": "Project", "model_id": True, "event": "UPDATE"}, 400),
        (f"/webhooks/opensolar/{A}", "A", {"model": "Project", "model_id": 1, "event": "TOUCH"}, 400),
        (f"/webhooks/opensolar/{A}", "A", ["not", "an", "object"], 400),
    ],
)
async def test_the_receiver_rejects(live: Live, path: str, secret: str | None, body: Any, status: int) -> None:
    assert await post(live, path, org_secret(SECRET, A) if secret == "A" else secret, body) == status


async def test_the_receiver_is_off_without_a_secret() -> None:
    async with serving(create_app(sandbox_settings())) as live:
        body = {"model": "Project", "model_id": 1, "event": "UPDATE"}
        assert await post(live, f"/webhooks/opensolar/{A}", org_secret("", A), body) == 404


async def test_create_webhook_registers_only_the_gateways_receiver(live: Live) -> None:
    sandbox = sandbox_of(live)
    created = await live.query(
        "mutation { createWebhook(input: {gatewayReceiver: true}) { databaseId endpoint headerNames triggerFields } }"
    )
    hook = created["data"]["createWebhook"]
    assert hook["endpoint"] == f"https://gw.example.com/webhooks/opensolar/{A}"
    assert hook["headerNames"] == ["X-Solar-Gateway-Secret"] and "project.*" in hook["triggerFields"]
    stored = sandbox.data.webhooks[hook["databaseId"]]
    assert org_secret(SECRET, A) in stored.headers and SECRET not in stored.headers  # the org's, not the master
    calls = sandbox.total_calls
    for extra, argument in (('endpoint: "https://attacker.example/"', "endpoint"), ('headers: {a: "b"}', "headers")):
        refused = await live.query(f"mutation {{ createWebhook(input: {{gatewayReceiver: true, {extra}}}) {{ id }} }}")
        assert refused["errors"][0]["extensions"] == {"code": "BAD_REQUEST", "argument": argument}
    assert sandbox.total_calls == calls  # refused before anything reached OpenSolar


async def test_header_values_are_never_shown_back(live: Live) -> None:
    await live.query("mutation { createWebhook(input: {gatewayReceiver: true}) { id } }")
    fields = await live.query(
        '{ __type(name: "Webhook") { fields { name args { type { kind } } type { kind ofType { kind } } } } }'
    )
    scalars = [  # every leaf field that can be asked for without arguments (raw included)
        f["name"]
        for f in fields["data"]["__type"]["fields"]
        if all(a["type"]["kind"] != "NON_NULL" for a in f["args"])
        and "OBJECT" not in {f["type"]["kind"], (f["type"]["ofType"] or {}).get("kind")}
    ]
    assert {"id", "endpoint", "headerNames", "raw"} <= set(scalars)
    selection = " ".join(scalars)
    listed = await live.query("{ org { webhooks(first: 50) { nodes { %s } } } }" % selection)
    nodes = listed["data"]["org"]["webhooks"]["nodes"]
    assert any(n["endpoint"].endswith(f"/webhooks/opensolar/{A}") for n in nodes)
    assert org_secret(SECRET, A) not in str(listed) and SECRET not in str(listed)


PAGE = '{ org(id: "%d") { project(id: "%d") { title systemDetails { id } proposal { systems { uuid } } } } }'


def full_record(title: str, **changed: Any) -> dict[str, Any]:
    """A project payload with every field its systems and proposal depend on (``payload_fields`` ``project.*``)."""
    fields = {"title": title, "systems": [{"id": 1}], "usage": "{}", "usage_annual_or_guess": 9000, "lat": 1, "lon": 2}
    return {**fields, "valid_until_date": "2026-12-31", **changed}


async def test_a_rename_refetches_the_projects_detail_only_once_its_record_shows_the_rest_unchanged(live: Live) -> None:
    sandbox = sandbox_of(live)
    pid = first_project(live, A)
    routes = ("opensolar.project_detail", "opensolar.system_details", "opensolar.proposal")

    async def refetched_after(fields: dict[str, Any]) -> list[int]:
        before = dict(sandbox.counts)
        assert (await live.hook(A, "Project", pid, fields=fields)).status_code == 200
        result = await live.query(PAGE % (A, pid), TOKENS[A])
        assert result["data"]["org"]["project"]["proposal"] and "errors" not in result
        return [sandbox.counts[route] - before.get(route, 0) for route in routes]

    await live.query(PAGE % (A, pid), TOKENS[A])
    assert await refetched_after(full_record("first")) == [1, 1, 1]  # nothing to compare with yet
    assert await refetched_after(full_record("renamed")) == [1, 0, 0]
    assert await refetched_after(full_record("renamed", usage_annual_or_guess=9100)) == [1, 1, 1]
    assert await refetched_after({"title": "renamed again"}) == [1, 1, 1]  # a filtered payload proves nothing
