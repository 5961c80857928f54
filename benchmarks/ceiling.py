"""The ceiling for ``benchmarks.wrk``: a trivial Starlette endpoint returning fixed bytes.

``uvicorn benchmarks.ceiling:create_app --factory`` serves ``CEILING_BODY_FILE`` at POST /graphql,
so wrk measures what this machine's HTTP stack alone can do with the same response.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def create_app() -> Starlette:
    body = Path(os.environ["CEILING_BODY_FILE"]).read_bytes()

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/graphql", answer, methods=["POST"])])
