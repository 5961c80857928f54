from __future__ import annotations

import pydantic
import pytest

from gateway.sandbox.state import SlidingWindowThrottle
from gateway.settings import Settings
from gateway.upstream.quotas import OPENSOLAR_LIMITS, EndpointClass, classify_opensolar


def test_reads_the_documented_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENSOLAR_TOKEN", "abc")
    monkeypatch.setenv("OPENSOLAR_ORG_ID", "62854")
    monkeypatch.setenv("OPENSOLAR_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("GATEWAY_PORT", "9000")
    settings = Settings()
    assert settings.opensolar_token is not None and settings.opensolar_token.get_secret_value() == "abc"
    assert "abc" not in repr(settings)
    assert settings.opensolar_org_id == 62854 and settings.port == 9000
    assert settings.upstream("opensolar", settings.opensolar_base_url).base_url == "http://127.0.0.1:9"
    assert not settings.use_sandbox and not settings.graphiql_enabled


def test_sandbox_when_no_credentials() -> None:
    settings = Settings()
    assert settings.use_sandbox and settings.graphiql_enabled
    assert settings.opensolar_base_url == "https://api.opensolar.com"
    assert settings.arcadia_base_url == "https://api.genability.com"
    forced = Settings.model_validate({"OPENSOLAR_TOKEN": "t", "GATEWAY_SANDBOX": "true"})
    assert forced.use_sandbox
    assert not Settings.model_validate({"GATEWAY_SANDBOX": "false"}).use_sandbox


def test_settings_are_frozen_and_validated() -> None:
    settings = Settings()
    with pytest.raises(pydantic.ValidationError):
        settings.port = 1  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        Settings.model_validate({"GATEWAY_PORT": "70000"})


def test_the_log_writer_is_a_process_unless_told_thread() -> None:
    assert Settings().log_writer == "process"
    assert Settings.model_validate({"GATEWAY_LOG_WRITER": "thread"}).log_writer == "thread"
    with pytest.raises(pydantic.ValidationError):
        Settings.model_validate({"GATEWAY_LOG_WRITER": "processes"})


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/api/orgs/1/projects/2/", EndpointClass.PROJECT_DETAIL),
        ("PATCH", "/api/orgs/1/projects/2/", EndpointClass.PROJECT_WRITE),
        ("POST", "/api/orgs/1/projects/", EndpointClass.PROJECT_WRITE),
        ("GET", "/api/orgs/1/projects/", EndpointClass.DEFAULT),
        ("GET", "/api/orgs/1/projects/2/systems/details/", EndpointClass.SYSTEM_DETAILS),
        ("GET", "/api/orgs/1/projects/2/systems/ABC-1/image/", EndpointClass.SYSTEM_IMAGE),
        ("GET", "/api/user_logins/", EndpointClass.PROPOSAL),
        ("GET", "/api/orgs/1/private_files/", EndpointClass.PRIVATE_FILES),
        ("GET", "/api/orgs/1/connected_orgs/", EndpointClass.CONNECTED_ORGS),
        ("GET", "/api/orgs/1/contacts/", EndpointClass.DEFAULT),
    ],
)
def test_endpoint_classes(method: str, path: str, expected: EndpointClass) -> None:
    assert classify_opensolar(method, path) is expected


def test_documented_limits() -> None:
    detail = OPENSOLAR_LIMITS[EndpointClass.PROJECT_DETAIL]
    assert detail.per_user is not None and (detail.per_user.requests, detail.per_user.period_s) == (100, 60)
    details = OPENSOLAR_LIMITS[EndpointClass.SYSTEM_DETAILS].per_user
    assert details is not None and details.requests == 60
    org = OPENSOLAR_LIMITS[EndpointClass.PROPOSAL].per_org
    assert org is not None and (org.requests, org.period_s) == (10_000, 86_400)


def test_sliding_window_matches_drf_arithmetic() -> None:
    now = [1000.0]
    throttle = SlidingWindowThrottle(clock=lambda: now[0])
    for _ in range(3):
        assert throttle.check(("k",), 3, 60) is None
        now[0] += 10
    assert throttle.check(("k",), 3, 60) == 30  # oldest at t=1000 expires at 1060; now is 1030
    now[0] = 1060.5
    assert throttle.check(("k",), 3, 60) is None
