"""Every upstream failure gives its stable code on its own path, leaving sibling data intact."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import pytest

from gateway.sandbox import Fault, SandboxConfig, SandboxState
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings

pytestmark = pytest.mark.integration

SIBLINGS = '{ org { name project(id: "3001") { title proposal { projectId } } } }'


@pytest.mark.parametrize(
    ("fault", "code", "extra"),
    [
        (Fault(route="opensolar.proposal", status=429, headers={"Retry-After": "42"}), "THROTTLED", {"retryAfter": 42}),
        (Fault(route="opensolar.proposal", status=503), "UPSTREAM_UNAVAILABLE", {"status": 503}),
        (Fault(route="opensolar.proposal", status=500, body="<html>boom</html>"), "UPSTREAM_UNAVAILABLE", {}),
        (Fault(route="opensolar.proposal", status=504), "UPSTREAM_TIMEOUT", {"status": 504}),
        (Fault(route="opensolar.proposal", body="{truncated"), "UPSTREAM_BAD_RESPONSE", {}),
        (Fault(route="opensolar.proposal", body='{"unexpected": "object"}'), "UPSTREAM_BAD_RESPONSE", {}),
        (Fault(route="opensolar.proposal", status=401), "UNAUTHENTICATED", {"status": 401}),
    ],
)
async def test_fault_codes_with_sibling_data_intact(
    gateway: Gateway, fault: Fault, code: str, extra: dict[str, Any]
) -> None:
    gateway.sandbox.faults.append(fault)
    result = await gateway.query(SIBLINGS)
    assert result["data"]["org"]["name"] and result["data"]["org"]["project"]["title"]
    assert result["data"]["org"]["project"]["proposal"] is None
    (error,) = result["errors"]
    assert error["path"] == ["org", "project", "proposal"]
    assert error["extensions"]["code"] == code
    assert extra.items() <= error["extensions"].items()
    assert "boom" not in str(result) and "Traceback" not in str(result)


async def test_a_hanging_upstream_times_out_within_the_deadline(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    sandbox.faults.append(Fault(route="opensolar.proposal", delay_s=30))
    async with gateway_factory(sandbox_settings(GATEWAY_UPSTREAM_DEADLINE_S=0.2), sandbox) as gateway:
        result = await gateway.query(SIBLINGS)
    # without the deadline the 30 s hang would end in an answer (and past the test's timeout), not a timeout
    assert errors_by_code(result).keys() == {"UPSTREAM_TIMEOUT"}
    assert result["data"]["org"]["project"]["title"]


async def test_validation_and_parse_errors_have_codes(gateway: Gateway) -> None:
    assert errors_by_code(await gateway.query("{ org { nope } }")).keys() == {"GRAPHQL_VALIDATION_FAILED"}
    assert errors_by_code(await gateway.query("{ org { ")).keys() == {"GRAPHQL_PARSE_FAILED"}


async def test_unexpected_errors_are_masked(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(gateway.runtime.upstreams.opensolar, "org", explode)
    result = await gateway.query("{ org { id name } }")
    assert result["data"]["org"] is None
    assert result["errors"][0]["message"] == "Unexpected error."
    assert result["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(result)


DESIGN = (
    "design { sceneOrigin { lat lon } totalPanelCount"
    " systems { uuid kwStc panelCount acWatts moduleGroups { azimuth slope moduleCount } priceIncludingTax } }"
)


async def test_design_is_decoded_only_when_selected(gateway: Gateway) -> None:
    result = await gateway.query('{ org { project(id: "3001") { title county designStatus } } }')
    assert result["data"]["org"]["project"]["designStatus"] == "AVAILABLE"
    assert gateway.runtime.upstreams.designs.decoded == 0


async def test_design_selected_twice_is_decoded_once(gateway: Gateway) -> None:
    project = gateway.sandbox.data.projects[3001]
    result = await gateway.query(
        f'{{ org {{ a: project(id: "3001") {{ {DESIGN} }} b: project(id: "3001") '
        '{ design { j: json(path: "object.userData.sceneOrigin4326") all: json } } } }'
    )
    assert "errors" not in result
    assert gateway.runtime.upstreams.designs.decoded == 1
    assert gateway.sandbox.counts["opensolar.project_detail"] == 1
    design = result["data"]["org"]["a"]["design"]
    assert design["sceneOrigin"] == {"lat": project.lat, "lon": project.lon}
    systems = [gateway.sandbox.data.systems[sid] for sid in project.system_ids]
    assert design["totalPanelCount"] == sum(s.module_quantity for s in systems)
    assert [(s["uuid"], s["panelCount"]) for s in design["systems"]] == [(s.uuid, s.module_quantity) for s in systems]
    assert design["systems"][0]["acWatts"] == pytest.approx(systems[0].ac_kw * 1000)
    assert design["systems"][0]["priceIncludingTax"] == systems[0].price_including_tax
    assert result["data"]["org"]["b"]["design"]["j"] == [project.lon, project.lat]
    assert set(result["data"]["org"]["b"]["design"]["all"]) >= {"object", "systems"}


async def test_corrupt_design(gateway: Gateway) -> None:
    gateway.sandbox.design_overrides[3001] = base64.b64encode(b"definitely not gzip").decode()
    result = await gateway.query('{ org { project(id: "3001") { title design { totalPanelCount } } } }')
    assert result["data"]["org"]["project"] == {"title": result["data"]["org"]["project"]["title"], "design": None}
    assert result["errors"][0]["extensions"]["code"] == "DESIGN_CORRUPT"
    assert result["errors"][0]["path"] == ["org", "project", "design"]


async def test_oversize_design(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    sandbox.design_overrides[3001] = base64.b64encode(gzip.compress(b" " * (8 * 1024 * 1024))).decode()
    async with gateway_factory(sandbox_settings(GATEWAY_DESIGN_MAX_BYTES=1024 * 1024), sandbox) as gateway:
        result = await gateway.query('{ org { project(id: "3001") { title design { totalPanelCount } } } }')
    assert result["data"]["org"]["project"]["title"]
    assert result["errors"][0]["extensions"] == {"code": "DESIGN_TOO_LARGE", "maxBytes": 1024 * 1024}
