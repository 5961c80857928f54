"""``make bench-peer``: our gateway and the Node peer (GraphQL Mesh + Hive Gateway) side by side.

One sandbox (``--latency-ms 20``, throttles off) serves both. Each round measures, for ours then
the peer (the order alternates between rounds), on servers started once:

- every cache off (ours: ``GATEWAY_CACHE=false GATEWAY_RESPONSE_CACHE=false``; the peer: no response
  cache, no inbound de-dup): ``--requests`` Portfolios, 4 at a time, all answered, and the server's CPU
  per request (its whole process tree, from /proc). Each request carries an unused variable of its own
  (``benchRequest``): identical concurrent queries would coalesce in ours (``gateway/http/coalesce.py``),
  so 4 at a time would execute ~1 and the CPU per request would not be the CPU per execution;
- the response cache on and warm: the Portfolio under the same wrk;
- cold latency, one request at a time on the caches-off servers: Portfolio and ProjectPage p50, and
  upstream calls per request (the sandbox's counters);
- workers: the warm hits again against a second server with two workers (ours ``--workers 2``,
  the peer ``--fork 2``), and its memory per process. wrk's own CPU per request is measured too: on a
  2-core machine wrk shares the cores, so two workers can reach at most 2 cores / (server CPU + wrk CPU
  per hit), against one worker's 1 core / server CPU per hit (the "bound" row); and hits per server
  CPU-second with two workers against one show whether anything in the server serialises them.

Ratios are taken inside each round, then the median over rounds is reported. Ours runs with its
production defaults (``INFO`` access log, pass-through credentials) except the inbound rate limit
(off, as in every harness: one credential at benchmark rates) and upstream pacing (off, as in
``make bench``). Needs wrk, Node.js >= 20 and npm (the peer installs from the npm registry, pinned).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from benchmarks.peer_process import AUTH, PEER_OPERATIONS, PEER_VARIABLES, node_peer
from benchmarks.peer_report import Round, Side, render
from benchmarks.proc_stats import tree_cpu_seconds, tree_rss_mib
from benchmarks.run import VARIABLES, Server, gateway_env, sandbox_server, started
from benchmarks.splice import publish
from benchmarks.wrk import wrk
from schema.operations import load_operations

LATENCY_MS = 20.0
FLOORS_MS = {"Portfolio": 3 * LATENCY_MS, "ProjectPage": 2 * LATENCY_MS}  # dependent round trips (benchmarks.run)
OURS = {"GATEWAY_THROTTLE": "false", "GATEWAY_LOG_LEVEL": "INFO"}
OFF = {"GATEWAY_CACHE": "false", "GATEWAY_RESPONSE_CACHE": "false"}


class Target:
    """One gateway under test: its servers and the request bodies it understands."""

    def __init__(self, name: str, off: Server, on: Server, on_two: Server, bodies: dict[str, bytes]) -> None:
        self.name, self.off, self.on, self.on_two, self.bodies = name, off, on, on_two, bodies
        self.files: dict[str, str] = {}
        for operation, body in bodies.items():
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
                f.write(body)
            self.files[operation] = f.name

    def post(self, server: Server, operation: str) -> tuple[float, dict[str, Any]]:
        headers = {**AUTH, "content-type": "application/json"}
        started_at = time.perf_counter()
        answer = httpx.post(f"{server.url}/graphql", content=self.bodies[operation], headers=headers, timeout=120)
        elapsed = (time.perf_counter() - started_at) * 1000
        body = answer.json()
        if answer.status_code != 200 or body.get("errors") or not body.get("data"):
            raise RuntimeError(f"{self.name} answered {answer.status_code}: {answer.text[:400]}")
        return elapsed, body


def _bodies(operations: dict[str, str], variables: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    return {name: json.dumps({"query": operations[name], "variables": variables[name]}).encode() for name in operations}


def _calls(sandbox: Server) -> int:
    return int(httpx.get(f"{sandbox.url}/_sandbox/stats").json()["total"])


def distinct(body: bytes, number: int) -> bytes:
    """The same operation with an unused variable of its own, so that concurrent requests do not coalesce."""
    payload = json.loads(body)
    payload["variables"] = {**payload.get("variables", {}), "benchRequest": number}
    return json.dumps(payload).encode()


def _reset(sandbox: Server) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/reset")


async def _batch(target: Target, server: Server, concurrency: int, total: int) -> tuple[float, float, int]:
    """``total`` Portfolios, ``concurrency`` at a time: (requests a second, server CPU ms each, answers with errors)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {**AUTH, "content-type": "application/json"}
    async with httpx.AsyncClient(timeout=300, transport=AiohttpTransport(limits=limits), headers=headers) as client:
        left, failed = total, 0

        async def worker() -> None:
            nonlocal left, failed
            while left > 0:
                left -= 1
                body = distinct(target.bodies["Portfolio"], left)
                answer = await client.post(f"{server.url}/graphql", content=body)
                if answer.status_code != 200 or b'"errors"' in answer.content[:20]:
                    failed += 1
                    sys.stderr.write(f"{target.name}: {answer.status_code} {answer.text[:300]}\n")

        cpu, started_at = tree_cpu_seconds(server.pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started_at
        return total / elapsed, (tree_cpu_seconds(server.pid) - cpu) / total * 1000, failed


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # children waited for: wrk once it has exited
    return usage.ru_utime + usage.ru_stime


def _hits(target: Target, server: Server, seconds: int) -> tuple[float, float, float]:
    """Warm Portfolio hits under wrk: (requests a second, server CPU µs per request over the whole tree, wrk's)."""
    for _ in range(8):  # stored again if it expired; with workers, each holds its own response cache
        target.post(server, "Portfolio")
    cpu, client_cpu = tree_cpu_seconds(server.pid), _children_cpu_seconds()
    run = wrk(server.url, target.files["Portfolio"], seconds)
    requests = max(run.requests, 1)
    server_us = (tree_cpu_seconds(server.pid) - cpu) / requests * 1e6
    return run.rps, server_us, (_children_cpu_seconds() - client_cpu) / requests * 1e6


def measure(target: Target, sandbox: Server, args: argparse.Namespace) -> Side:
    side = Side()
    for operation, into in (("Portfolio", side.cold_portfolio_ms), ("ProjectPage", side.cold_page_ms)):
        calls = []
        for _ in range(args.cold_runs):
            _reset(sandbox)
            into.append(target.post(target.off, operation)[0])
            calls.append(_calls(sandbox))
        routes = httpx.get(f"{sandbox.url}/_sandbox/stats").json()["routes"]  # of the last cold request
        if operation == "ProjectPage":
            side.page_calls, side.page_routes = statistics.median(calls), routes
        else:
            side.off_calls, side.portfolio_routes = statistics.median(calls), routes
    side.off_rps, side.off_cpu_ms, side.off_errors = asyncio.run(_batch(target, target.off, 4, args.requests))
    side.hit_rps, side.hit_cpu_us, side.wrk_cpu_us = _hits(target, target.on, args.seconds)
    side.hit_rps_2, side.hit_cpu_us_2, _ = _hits(target, target.on_two, args.seconds)
    side.rss_mib = tree_rss_mib(target.on_two.pid)
    return side


@contextmanager
def targets(stack: ExitStack) -> Iterator[tuple[Server, Target, Target]]:
    sandbox = stack.enter_context(sandbox_server(LATENCY_MS, "--no-throttle"))

    def ours(workers: int, **extra: str) -> Server:
        return stack.enter_context(
            started(["serve", "--workers", str(workers)], gateway_env(sandbox, **OURS, **extra), "/healthz")
        )

    ours_bodies = _bodies({n: load_operations()[n] for n in PEER_OPERATIONS}, VARIABLES)
    our = Target("ours", ours(1, **OFF), ours(1), ours(2), ours_bodies)
    ttl = 600_000  # long enough to stay warm through a run: hits, not freshness, are measured here
    peer = Target(
        "Node peer",
        stack.enter_context(node_peer(sandbox)),
        stack.enter_context(node_peer(sandbox, cache_ttl_ms=ttl)),
        stack.enter_context(node_peer(sandbox, cache_ttl_ms=ttl, workers=2)),
        _bodies(PEER_OPERATIONS, PEER_VARIABLES),
    )
    yield sandbox, our, peer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40, help="Portfolios per round with every cache off")
    parser.add_argument("--write", type=Path, help="splice the section into this file (BENCHMARKS.md)")
    args = parser.parse_args()
    rounds, load_before = [], os.getloadavg()[0]
    with ExitStack() as stack, targets(stack) as (sandbox, our, peer):
        for number in range(args.rounds):
            order = (our, peer) if number % 2 == 0 else (peer, our)
            sides = {t.name: measure(t, sandbox, args) for t in order}
            rounds.append(Round(sides["ours"], sides["Node peer"], os.getloadavg()[0]))
            sys.stderr.write(f"round {number + 1}/{args.rounds} done, load {rounds[-1].load:.1f}\n")
    text = report(rounds, args, load_before)
    return publish(text, args.write, "node-peer")


DIFFERENCES = [
    "What the two select differs where the peer's generated schema cannot follow ours (`PEER_OPERATIONS` in "
    "`benchmarks/peer_process.py`): its fields are the upstream JSON's (snake_case, numeric ids); the Portfolio's "
    "incentives are each project's Arcadia search as returned (ours computes per-system totals from it, and "
    "reads the project details and system details that computation needs); the ProjectPage's design is the "
    "upstream's base64 gzip string (ours decodes a summary from it) and its proposal figures are the upstream's "
    "display strings (ours parses them). The peer makes one Arcadia search per project (no de-duplication of "
    "identical searches within a request). Both pass the caller's token through to OpenSolar.",
]


def routes(last: Round) -> list[str]:
    """Upstream calls by route of the last cold request of each kind, both gateways."""

    def line(side: Side) -> str:
        return "; ".join(
            f"{name} " + ", ".join(f"{route} {count}" for route, count in sorted(calls.items()))
            for name, calls in (("Portfolio:", side.portfolio_routes), ("ProjectPage:", side.page_routes))
        )

    return [f"Upstream calls by route, one cold request: ours {line(last.ours)}.", "", f"Node peer {line(last.peer)}."]


def report(rounds: list[Round], args: argparse.Namespace, load_before: float) -> str:
    loads = " / ".join(f"{r.load:.1f}" for r in rounds)
    lines = [
        "## Side by side with the Node peer (GraphQL Mesh + Hive Gateway)",
        "",
        f"Command: `make bench-peer` (`python -m benchmarks.peer --rounds {args.rounds} --seconds {args.seconds} "
        f"--write BENCHMARKS.md`), run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, one "
        f"sandbox with {LATENCY_MS:.0f} ms per upstream call for both, {args.rounds} interleaved rounds; load "
        f"average {load_before:.1f} before, {loads} after each round. Medians over the rounds; the ratio "
        "column is the median of the ratios taken inside each round.",
        "",
        *render(rounds, FLOORS_MS),
        "",
        *routes(rounds[-1]),
        "",
        *DIFFERENCES,
        "",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
