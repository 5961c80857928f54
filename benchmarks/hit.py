"""``python -m benchmarks.hit [Operation]``: a response-cache hit's cost in the app, without sockets.

Calls the gateway's ASGI app directly (response cache warm) and, the same way, a trivial Starlette
app answering the same bytes: the difference is what the gateway's own layers cost per hit
(request id, metrics, auth, the gate, the cache lookup). Microseconds per call over 20,000 calls.
``--encoding br`` (or ``zstd``, ``gzip``) sends that ``Accept-Encoding``: the hit then answers the
stored compressed bytes, and the trivial app answers the same compressed bytes. The two alternate in
rounds; the ratio is the median of the rounds' ratios.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.run import TOKEN, VARIABLES
from gateway.app import create_app
from gateway.settings import Settings
from schema.operations import load_operations

CALLS = 20_000
ROUNDS = 10  # the gateway and the trivial app alternate, CALLS / ROUNDS calls each per round


def _scope(body: bytes, accept_encoding: bytes = b"") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {TOKEN}".encode()),
            (b"content-length", str(len(body)).encode()),
            *([(b"accept-encoding", accept_encoding)] if accept_encoding else []),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _per_call_us(app: Any, body: bytes, calls: int, accept_encoding: bytes = b"") -> tuple[float, bytes]:
    answer: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            answer.append(message.get("body", b""))

    started = time.perf_counter()
    for _ in range(calls):
        await app(_scope(body, accept_encoding), receive, send)
    return (time.perf_counter() - started) / calls * 1e6, answer[-1]


def _ceiling(answer: bytes) -> Starlette:
    async def endpoint(request: Request) -> Response:
        await request.body()
        return Response(answer, media_type="application/json")

    return Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])


async def measure(name: str, encoding: str = "") -> tuple[float, float, float]:
    """Median µs per hit for the gateway and the trivial app, and the median of their per-round ratios:
    the two alternate in ``ROUNDS`` rounds, so a machine that speeds up or slows down moves both sides."""
    body = orjson.dumps({"query": load_operations()[name], "variables": VARIABLES.get(name, {})})
    app = create_app(Settings.model_validate({"GATEWAY_SANDBOX": "true", "GATEWAY_THROTTLE": "false"}))
    async with app.router.lifespan_context(app):
        await _per_call_us(app, body, 3)  # stores the response
        _, answer = await _per_call_us(app, body, 3, encoding.encode())
        assert b'"errors"' not in answer and (not encoding or not answer.startswith(b"{")), answer[:300]
        ceiling = _ceiling(answer)
        await _per_call_us(ceiling, body, 3)
        gateway_us, ceiling_us, ratios = [], [], []
        for _ in range(ROUNDS):
            ours, _ = await _per_call_us(app, body, CALLS // ROUNDS, encoding.encode())
            trivial, _ = await _per_call_us(ceiling, body, CALLS // ROUNDS)
            gateway_us.append(ours)
            ceiling_us.append(trivial)
            ratios.append(ours / trivial)
    return statistics.median(gateway_us), statistics.median(ceiling_us), statistics.median(ratios)


def main() -> int:
    args = sys.argv[1:]
    encoding = args[args.index("--encoding") + 1] if "--encoding" in args else ""
    name = next((a for a in args if not a.startswith("--") and a != encoding), "Portfolio")
    gateway_us, ceiling_us, ratio = asyncio.run(measure(name, encoding))
    label = f"{name} (Accept-Encoding: {encoding})" if encoding else name
    sys.stdout.write(
        f"{label}: a response-cache hit costs {gateway_us:.1f} µs in the gateway app, "
        f"{ceiling_us:.1f} µs in a trivial Starlette app, {ratio:.2f}x (medians of {ROUNDS} alternating rounds; "
        "in process, no sockets)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
