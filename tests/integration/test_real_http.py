"""The gateway over real sockets: a separate sandbox server, configured only by environment variables."""

from __future__ import annotations

import httpx
import pytest

from gateway.http.auth import hash_api_key
from gateway.sandbox import RAW_DATA_ORG_ID, sandbox_token
from gateway.settings import Settings
from tests.conftest import errors_by_code, running_gateway
from tests.integration.servers import dead_address

pytestmark = pytest.mark.integration

RAW_TOKEN = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}")


def real_settings(base_url: str, **extra: object) -> Settings:
    return Settings.model_validate(
        {
            "OPENSOLAR_BASE_URL": base_url,
            "OPENSOLAR_TOKEN": RAW_TOKEN,
            "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
            **extra,
        }
    )


async def test_credentials_in_the_environment_reach_a_real_server(sandbox_url: str) -> None:
    key = "partner-integration-key"
    settings = real_settings(sandbox_url, GATEWAY_API_KEYS=f"sha256:{hash_api_key(key)}")
    assert not settings.use_sandbox
    query = (
        '{ org { name project(id: "3001") { title design { totalPanelCount } systems { kwStc } '
        "proposal { systems { paybackYears } } } } }"
    )
    async with running_gateway(settings) as gateway:
        assert gateway.runtime.upstreams.sandbox is None
        result = await gateway.query(query, headers={"X-API-Key": key})  # server credentials: OPENSOLAR_TOKEN
    assert "errors" not in result, result
    assert result["data"]["org"]["project"]["design"]["totalPanelCount"] > 0
    async with httpx.AsyncClient() as client:
        stats = (await client.get(f"{sandbox_url}/_sandbox/stats")).json()
    assert stats["routes"]["opensolar.project_detail"] >= 1


async def test_connection_refused_fails_fast() -> None:
    # server credentials: a caller's own token could not even be verified (503 at the front door)
    with dead_address() as address:
        settings = real_settings(f"http://{address}", GATEWAY_API_KEYS=hash_api_key("k"))
        async with running_gateway(settings) as gateway:
            result = await gateway.query("{ org { id name } }", headers={"X-API-Key": "k"})
    assert result["data"]["org"] is None  # the org could not be checked
    assert errors_by_code(result).keys() == {"UPSTREAM_UNAVAILABLE"}


async def test_trickling_body_hits_the_overall_deadline(sandbox_url: str) -> None:
    async with httpx.AsyncClient() as client:
        fault = {"route": "opensolar.org", "trickle_s": 0.05, "times": 1}
        await client.post(f"{sandbox_url}/_sandbox/faults", json=fault)
    settings = real_settings(sandbox_url, GATEWAY_UPSTREAM_DEADLINE_S=0.5, GATEWAY_RETRY_ATTEMPTS=1)
    async with running_gateway(settings) as gateway:
        result = await gateway.query("{ org { name } }", token=RAW_TOKEN)
    # a byte every 50 ms would finish (an answer, no error) only well past the 0.5 s deadline
    assert errors_by_code(result).keys() == {"UPSTREAM_TIMEOUT"}
