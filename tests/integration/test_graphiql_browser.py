"""GraphiQL in real headless Chromium, served entirely by the gateway (no CDN): first screen, a query, a subscription.

The first test also takes the README's screenshot of the first screen; ``make screenshot`` (or
``UPDATE_SCREENSHOT=1``) keeps it as docs/graphiql.png, otherwise it goes to a temporary file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from gateway.graphiql import CSP, DEFAULT_HEADERS, default_query
from tests.integration.cdp import Page, browser_page
from tests.integration.servers import serving, webhooks

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
SCREENSHOT = ROOT / "docs" / "graphiql.png"
SECRET = "graphiql-secret"
EDITORS = "Array.from(document.querySelectorAll('.CodeMirror')).map(e => e.CodeMirror.getValue())"
RESULT = "(e => e ? e.CodeMirror.getValue() : '')(document.querySelector('.result-window .CodeMirror'))"
READY = "!!document.querySelector('.graphiql-explorer-root') && !!document.querySelector('.graphiql-query-editor')"


def readme_try_it() -> str:
    match = re.search(r"## Try it\n.*?```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert match is not None
    return match.group(1)


def test_the_readme_try_it_query_is_the_default_tab() -> None:
    assert default_query() == readme_try_it()


def wait_for_result(page: Page, text: str) -> str:
    result: str = page.wait_for(f"{RESULT}.includes({text!r}) && {RESULT}", 30) or page.evaluate(RESULT)
    return result


def test_first_screen_runs_the_default_query_offline_and_is_the_readme_screenshot(tmp_path: Path) -> None:
    screenshot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "graphiql.png"
    with serving(["serve"], "/healthz") as (_, url), browser_page(1440, 900) as page:
        html = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
        assert html.status_code == 200 and html.headers["content-security-policy"] == CSP
        assert "https://" not in html.text  # every asset from this origin
        icon = httpx.get(f"{url}/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        bundle = httpx.get(f"{url}/graphiql/static/vendor/graphiql.min.js", headers={"Accept-Encoding": "br"})
        assert bundle.headers["content-encoding"] == "br"  # precompressed at build time
        page.goto(f"{url}/graphql")
        assert page.wait_for(READY, 30), page.evaluate("document.body.innerText")
        editors = page.evaluate(EDITORS)
        assert editors[0] == readme_try_it() and DEFAULT_HEADERS in editors
        page.screenshot(screenshot)  # the README's picture: default query, explorer open
        page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        result = wait_for_result(page, "Sunrise Solar Co")
    assert "Sunrise Solar Co" in result and '"errors"' not in result, result
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000


def test_a_subscription_runs_over_the_same_origin() -> None:
    subscription = quote("subscription { projectChanged { projectId event } }")
    with (
        serving(["serve"], "/healthz", env={"GATEWAY_WEBHOOK_SECRET": SECRET}) as (_, url),
        webhooks(url, SECRET),
        browser_page() as page,
    ):
        page.goto(f"{url}/graphql?q={subscription}&run=1")
        result = wait_for_result(page, "projectChanged")
    assert '"projectId": "3001"' in result and '"event": "UPDATE"' in result, result
