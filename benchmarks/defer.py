"""``python -m benchmarks.defer``: time to the first part with ``@defer`` against the whole answer.

The stitched ProjectPage (``schema/operations/ProjectPage.graphql``) twice over real sockets: as it is,
and with its Arcadia incentives in ``... @defer { incentives { ... } }``. A sandbox server with its
usual 80 ms per call, a gateway with its upstream cache off (each request makes its upstream calls:
what a page sees on a first visit) and the response cache off (the plain page would otherwise be a
hit). Per round, in turn: the plain page (time to the whole answer) and the deferred page (time to its
first part, the project, and to its last, the incentives). Then the same with every Arcadia call
slowed by ``--arcadia-delay`` seconds (the sandbox's fault injection), where deferring pays.
``--write BENCHMARKS.md`` rewrites its own section there (``<!-- bench-defer -->``) and leaves the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.run import AUTH, VARIABLES, Server, gateway_env, sandbox_server, started
from benchmarks.splice import publish
from schema.operations import load_operations

__all__ = ["deferred"]

HEADING = "## Issue 15: time to the first part with @defer (stitched ProjectPage)"
MULTIPART = "multipart/mixed; deferSpec=20220824, application/json"


def deferred(document: str, field: str) -> str:
    """``document`` with ``field { ... }`` (its first occurrence) wrapped in ``... @defer(label: field) { }``."""
    start = re.search(rf"\b{field}\s*\{{", document)
    assert start is not None, field
    depth, end = 0, start.end() - 1
    for end in range(start.end() - 1, len(document)):
        depth += {"{": 1, "}": -1}.get(document[end], 0)
        if depth == 0:
            break
    block = document[start.start() : end + 1]
    return f'{document[: start.start()]}... @defer(label: "{field}") {{ {block} }}{document[end + 1 :]}'


@dataclass
class Timings:
    plain_s: list[float]
    first_s: list[float]
    last_s: list[float]


async def _plain(client: httpx.AsyncClient, query: str) -> float:
    started_at = time.perf_counter()
    response = await client.post("/graphql", json={"query": query, "variables": VARIABLES["ProjectPage"]})
    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
    return time.perf_counter() - started_at


async def _parts(client: httpx.AsyncClient, query: str) -> tuple[float, float]:
    body = {"query": query, "variables": VARIABLES["ProjectPage"]}
    started_at = time.perf_counter()
    first = None
    received = b""
    async with client.stream("POST", "/graphql", json=body, headers={"accept": MULTIPART}) as response:
        assert response.headers["content-type"].startswith("multipart/mixed"), response.headers
        async for chunk in response.aiter_raw():
            received += chunk
            if first is None and b'"hasNext":true' in received:
                first = time.perf_counter() - started_at
    last = time.perf_counter() - started_at
    assert first is not None and b'"hasNext":false' in received and b'"errors"' not in received, received[-300:]
    return first, last


async def measure(gateway: Server, rounds: int) -> Timings:
    plain_query = load_operations()["ProjectPage"]
    deferred_query = deferred(plain_query, "incentives")
    timings = Timings([], [], [])
    async with httpx.AsyncClient(base_url=gateway.url, headers=AUTH, timeout=60) as client:
        await _plain(client, plain_query)  # warm: connections, validated documents
        await _parts(client, deferred_query)
        for _ in range(rounds):
            timings.plain_s.append(await _plain(client, plain_query))
            first, last = await _parts(client, deferred_query)
            timings.first_s.append(first)
            timings.last_s.append(last)
    return timings


def _row(label: str, timings: Timings) -> str:
    plain, first, last = (1000 * statistics.median(t) for t in (timings.plain_s, timings.first_s, timings.last_s))
    return f"| {label} | {plain:.0f} | {first:.0f} | {last:.0f} | {first / last:.2f} | {first / plain:.2f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--arcadia-delay", type=float, default=0.5, help="seconds added to every Arcadia call")
    parser.add_argument("--write", type=Path, help="splice the section into this file (BENCHMARKS.md)")
    args = parser.parse_args()
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_server(80, "--no-throttle"))
        env = gateway_env(sandbox, GATEWAY_CACHE="false", GATEWAY_RESPONSE_CACHE="false", GATEWAY_THROTTLE="false")
        gateway = stack.enter_context(started(["serve"], env, "/healthz"))
        usual = asyncio.run(measure(gateway, args.rounds))
        fault = {"route": "arcadia.*", "delay_s": args.arcadia_delay}
        httpx.post(f"{sandbox.url}/_sandbox/faults", json=fault).raise_for_status()
        slow = asyncio.run(measure(gateway, args.rounds))
    load = os.getloadavg()
    section = "\n".join(
        [
            HEADING,
            "",
            f"Command: `python -m benchmarks.defer --rounds {args.rounds} --write BENCHMARKS.md` (run "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, load average "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}). Real sockets; sandbox 80 ms per call; one gateway "
            "worker with its upstream cache and response cache off, so every request makes its upstream calls "
            "(a first visit). Medians of the rounds, plain and deferred requests in turn.",
            "",
            "| Arcadia | plain page, whole answer ms | deferred: first part ms | deferred: last part ms "
            "| first / last | first / plain |",
            "| --- | --- | --- | --- | --- | --- |",
            _row("usual (80 ms a call)", usual),
            _row(f"{1000 * args.arcadia_delay:.0f} ms slower a call", slow),
            "",
            "At the usual latency the incentives' path (the project's detail, then the Arcadia search beside "
            "its systems) is no longer than the rest of the page's, so the first part comes with the last. "
            "When Arcadia is slower, the project still comes when it did and only the incentives wait. The "
            "deferred answer's last part takes as long as the plain page: deferred work starts at once "
            "(graphql-core's early execution), so deferring costs the whole answer nothing.",
            "",
        ]
    )
    return publish(section, args.write, "bench-defer")


if __name__ == "__main__":
    raise SystemExit(main())
