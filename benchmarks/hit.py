"""``python -m benchmarks.hit [Operation]``: a response-cache hit's cost in the app, without sockets.

Calls the gateway's ASGI app directly (response cache warm) and, the same way, a trivial Starlette
app answering the same bytes: the difference is what the gateway's own layers cost per hit
(request id, metrics, auth, the gate, the cache lookup). Microseconds per call over 20,000 calls.
``--encoding br`` (or ``zstd``, ``gzip``) sends that ``Accept-Encoding``: the hit then answers the
stored compressed bytes, and the trivial app answers the same compressed bytes. The two alternate in
rounds; the ratio is the median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.proc_stats import off_main_thread_ns
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


@dataclass
class Measured:
    gateway_us: float  # median wall time per hit on the event loop
    ceiling_us: float  # the trivial app's
    ratio: float  # median of the rounds' ratios
    off_loop_us: float  # CPU per hit off the event loop's thread: the log writer process and listener thread


async def measure(name: str, encoding: str = "", log_level: str | None = None) -> Measured:
    """Median µs per hit for the gateway and the trivial app, and the median of their per-round ratios:
    the two alternate in ``ROUNDS`` rounds, so a machine that speeds up or slows down moves both sides.
    With ``log_level`` the gateway logs as it does when served (JSON lines on stderr, which the caller
    points at a file); the CPU spent off the event loop's thread (the log writer process renders and writes
    the access lines) is then counted over all the gateway's hits."""
    body = orjson.dumps({"query": load_operations()[name], "variables": VARIABLES.get(name, {})})
    logging = {"GATEWAY_LOG_LEVEL": log_level, "GATEWAY_LOG_FORMAT": "json"} if log_level else {}
    app = create_app(Settings.model_validate({"GATEWAY_SANDBOX": "true", "GATEWAY_THROTTLE": "false", **logging}))
    async with app.router.lifespan_context(app):
        await _per_call_us(app, body, 3)  # stores the response
        _, answer = await _per_call_us(app, body, 3, encoding.encode())
        assert b'"errors"' not in answer and (not encoding or not answer.startswith(b"{")), answer[:300]
        ceiling = _ceiling(answer)
        await _per_call_us(ceiling, body, 3)
        await asyncio.sleep(0.1)  # the warm-up's lines written
        off_loop = off_main_thread_ns(os.getpid())
        gateway_us, ceiling_us, ratios = [], [], []
        for _ in range(ROUNDS):
            ours, _ = await _per_call_us(app, body, CALLS // ROUNDS, encoding.encode())
            trivial, _ = await _per_call_us(ceiling, body, CALLS // ROUNDS)
            gateway_us.append(ours)
            ceiling_us.append(trivial)
            ratios.append(ours / trivial)
        await asyncio.sleep(0.1)  # every line written
        off_loop = off_main_thread_ns(os.getpid()) - off_loop
    return Measured(
        statistics.median(gateway_us),
        statistics.median(ceiling_us),
        statistics.median(ratios),
        off_loop / 1000 / (CALLS // ROUNDS * ROUNDS),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("operation", nargs="?", default="Portfolio")
    parser.add_argument("--encoding", default="", help="the Accept-Encoding to send (br, zstd, gzip)")
    parser.add_argument(
        "--log-level",
        help="log as the served gateway does (INFO: one access line per hit), JSON lines into a temporary file",
    )
    args = parser.parse_args()
    with tempfile.TemporaryFile() as log, _stderr_to(log.fileno() if args.log_level else None):
        measured = asyncio.run(measure(args.operation, args.encoding, args.log_level))
    label = f"{args.operation} (Accept-Encoding: {args.encoding})" if args.encoding else args.operation
    logged = f", logging at {args.log_level}" if args.log_level else ""
    sys.stdout.write(
        f"{label}{logged}: a response-cache hit costs {measured.gateway_us:.1f} µs in the gateway app, "
        f"{measured.ceiling_us:.1f} µs in a trivial Starlette app, {measured.ratio:.2f}x (medians of {ROUNDS} "
        "alternating rounds; in process, no sockets)\n"
    )
    if args.log_level:
        sys.stdout.write(
            f"off the event loop (log writer process, listener thread): {measured.off_loop_us:.2f} µs of CPU per hit\n"
        )
    return 0


@contextmanager
def _stderr_to(fd: int | None) -> Iterator[None]:
    """File descriptor 2 pointed at ``fd`` for the block (the log lines go there, not to the terminal)."""
    if fd is None:
        yield
        return
    saved = os.dup(2)
    os.dup2(fd, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


if __name__ == "__main__":
    raise SystemExit(main())
