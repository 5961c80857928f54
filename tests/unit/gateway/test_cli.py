"""``solar-gateway serve``: what it hands uvicorn (the server layers every request pays for)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway import cli


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``uvicorn.run``'s arguments for a ``serve`` (the server is not started)."""
    captured: dict[str, Any] = {}

    def run(app: str, **kwargs: Any) -> None:
        captured.update(kwargs, app=app)

    monkeypatch.setattr("uvicorn.run", run)  # gateway.cli calls it as uvicorn.run
    # serve sets GATEWAY_LOG_FORMAT for its workers when unset; set here, so the test leaves it as it was
    monkeypatch.setenv("GATEWAY_LOG_FORMAT", "json")
    assert cli.main(["serve", "--port", "8765", "--workers", "2"]) == 0
    return captured


def test_serve_runs_the_app_factory_with_the_gateways_own_access_log(served: dict[str, Any]) -> None:
    assert served["app"] == "gateway.app:create_app" and served["factory"] is True
    assert served["port"] == 8765 and served["workers"] == 2
    # the gateway logs each request itself (request id, duration), in its own format: not uvicorn's
    assert served["access_log"] is False and served["log_config"] is None


def test_serve_has_no_forwarded_headers_layer_and_no_banner(served: dict[str, Any]) -> None:
    # Nothing reads the client address or scheme, so X-Forwarded-* rewriting would be pure cost per request.
    assert served["proxy_headers"] is False
    assert served["server_header"] is False
