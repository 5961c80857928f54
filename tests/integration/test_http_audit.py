"""graphql-http's GraphQL-over-HTTP audit suite (npm, pinned by frontend/package-lock.json) against the real server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.servers import serving

pytestmark = pytest.mark.integration

FRONTEND = Path(__file__).parents[2] / "frontend"
# MAY audits the gateway declines on purpose: operations over GET are persisted queries only (README).
DECLINED = {
    "MAY accept application/x-www-form-urlencoded formatted GET requests",
    "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json",
    "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json",
}


def test_the_graphql_over_http_audit_finds_no_must_failure_and_no_should_warning() -> None:
    node = shutil.which("node")
    if node is None or not (FRONTEND / "node_modules" / "graphql-http").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node or graphql-http is missing; `make assets` installs it (npm ci in frontend/)")
        pytest.skip("node or graphql-http is missing (make assets)")
    with serving(["serve"], "/healthz") as (_, url):
        run = subprocess.run(
            [node, str(FRONTEND / "audit.mjs"), f"{url}/graphql"],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    results = json.loads(run.stdout)
    counts = Counter((r["name"].split()[0], r["status"]) for r in results)
    summary = ", ".join(f"{level} {status}: {n}" for (level, status), n in sorted(counts.items()))
    sys.stdout.write(f"\ngraphql-http audit: {len(results)} audits; {summary}\n")
    failures = [f"{r['status']} {r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert not [f for f in failures if f.startswith(("error", "warn"))], failures
    assert {r["name"] for r in results if r["status"] != "ok"} <= DECLINED, failures
    assert len(results) >= 60
