"""GraphiQL served by the gateway itself: our page and script, vendor bundles built from npm.

``make assets`` installs the pinned npm packages (``frontend/package-lock.json``) and copies their
browser bundles into ``vendor/``; nothing is fetched from a CDN when the page loads, so the
explorer works behind a firewall. The page's Content-Security-Policy allows this origin only.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse

__all__ = ["ASSETS_DIR", "VENDOR_FILES", "graphiql_page"]

ASSETS_DIR = Path(__file__).parent
VENDOR_FILES = ("graphiql.min.css", "graphiql.min.js", "react.production.min.js", "react-dom.production.min.js")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def graphiql_page() -> HTMLResponse:
    missing = [name for name in VENDOR_FILES if not (ASSETS_DIR / "vendor" / name).is_file()]
    if missing:
        return HTMLResponse(
            "<h1>GraphiQL is not built</h1><p>Run <code>make assets</code> (npm) to install it.</p>", status_code=503
        )
    return HTMLResponse((ASSETS_DIR / "index.html").read_text(), headers={"Content-Security-Policy": CSP})
