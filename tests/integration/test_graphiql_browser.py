"""GraphiQL in real headless Chromium, served entirely by the gateway (no CDN), running a query."""

from __future__ import annotations

import subprocess
import tempfile
from urllib.parse import quote

import httpx
import pytest

from gateway.graphiql import CSP
from tests.integration.cdp import CHROMIUM_FLAGS, chromium
from tests.integration.servers import serving

pytestmark = pytest.mark.integration


def test_graphiql_is_served_offline_and_runs_a_query() -> None:
    browser = chromium()
    with serving(["serve"], "/healthz") as (_, url):
        page = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
        assert "https://" not in page.text  # every asset from this origin
        for asset in ("vendor/graphiql.min.js", "vendor/react.production.min.js", "start.js"):
            assert httpx.get(f"{url}/graphiql/static/{asset}").status_code == 200
        query = quote("{ org { name } }")
        with tempfile.TemporaryDirectory() as profile:
            dom = subprocess.run(
                [
                    browser,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    "--virtual-time-budget=20000",
                    "--dump-dom",
                    f"{url}/graphql?q={query}&run=1",
                ],
                capture_output=True,
                text=True,
                timeout=90,
                check=False,
            ).stdout
    assert "graphiql-container" in dom  # GraphiQL rendered from the local bundles
    assert "Sunrise Solar Co" in dom  # and the query's answer is on the page
