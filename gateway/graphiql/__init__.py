"""GraphiQL served by the gateway itself: our page and script, vendor bundles built from npm.

``make assets`` installs the pinned npm packages (``frontend/package-lock.json``: GraphiQL, React,
the explorer plugin and graphql-ws), copies their browser bundles into ``vendor/`` and compresses
them; the wheel ships them (``pyproject.toml``'s artifacts). Nothing is fetched from a CDN when the
page loads, so the IDE works behind a firewall. The page's Content-Security-Policy allows this
origin only. Its first tab is the README's "Try it" query (``default-query.graphql``, which a test
keeps equal to the README), the explorer is open, and the headers editor shows the auth header.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

__all__ = ["ASSETS_DIR", "CSP", "DEFAULT_HEADERS", "VENDOR_FILES", "default_query", "favicon", "graphiql_page"]

ASSETS_DIR = Path(__file__).parent
VENDOR_FILES = (
    "graphiql.min.css",
    "graphiql.min.js",
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphql-ws.min.js",
    "plugin-explorer.umd.js",
    "plugin-explorer.css",
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
# The shape of the credential headers; empty values are ignored, so the sandbox answers as it is.
DEFAULT_HEADERS = '{\n  "Authorization": "Bearer ",\n  "X-API-Key": ""\n}'


def default_query() -> str:
    return (ASSETS_DIR / "default-query.graphql").read_text()


@functools.lru_cache(maxsize=1)
def _page() -> str:
    defaults = json.dumps({"query": default_query(), "headers": DEFAULT_HEADERS})
    # a JSON data block: "</" must not close the script element early
    return (ASSETS_DIR / "index.html").read_text().replace("{{DEFAULTS}}", defaults.replace("</", "<\\/"))


def graphiql_page() -> HTMLResponse:
    missing = [name for name in VENDOR_FILES if not (ASSETS_DIR / "vendor" / name).is_file()]
    if missing:
        return HTMLResponse(
            "<h1>GraphiQL is not built</h1><p>Run <code>make assets</code> (npm) to install it.</p>", status_code=503
        )
    return HTMLResponse(_page(), headers={"Content-Security-Policy": CSP})


async def favicon(request: Request) -> Response:
    return Response(
        (ASSETS_DIR / "favicon.svg").read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
