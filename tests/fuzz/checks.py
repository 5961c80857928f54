"""What every fuzzed answer must be: a known status, and any error as JSON with a code."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["OK_STATUSES", "assert_coded"]

OK_STATUSES = {200, 400, 401, 405, 413, 415}


def assert_coded(response: httpx.Response) -> Any:
    """Fails on a status outside the known ones, and on any error without ``extensions.code``."""
    assert response.status_code in OK_STATUSES, (response.status_code, response.text)
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict) and not body.get("errors"):
        return body
    assert isinstance(body, dict) and body.get("errors"), (response.status_code, response.text[:300])
    for error in body["errors"]:
        assert isinstance(error, dict) and (error.get("extensions") or {}).get("code"), error
        assert "Traceback" not in str(error.get("message"))
    return body
