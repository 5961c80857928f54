"""The ceiling for ``benchmarks.wrk``: a trivial Starlette endpoint returning fixed bytes.

``uvicorn benchmarks.ceiling:create_app --factory`` serves ``CEILING_BODY_FILE`` at POST /graphql,
so wrk measures what this machine's HTTP stack alone can do with the same response. With
``CEILING_ENCODING`` (``br``, ``gzip``...) the file holds bytes already in that coding, sent with its
``Content-Encoding``: the ceiling for a response-cache hit that sends a stored compressed answer.
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
    encoding = os.environ.get("CEILING_ENCODING")
    headers = {"content-encoding": encoding, "vary": "Accept-Encoding"} if encoding else None

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json", headers=headers)

    return Starlette(routes=[Route("/graphql", answer, methods=["POST"])])
