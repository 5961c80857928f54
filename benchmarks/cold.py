"""``python -m benchmarks.cold [runs] [NAME=value ...]``: cold latency of the portfolio and the project page.

The sandbox in its own process with 80 ms per upstream call (``make bench``'s setting), one gateway
process with every cache off and throttling off at both ends (extra gateway settings as arguments,
e.g. ``GATEWAY_ARCADIA_CONCURRENCY=16``); sequential requests, each after a sandbox counter reset.
Prints p50 against the round-trip floor (``benchmarks.run.ROUND_TRIPS``) and the upstream calls per
request. A quicker, narrower ``make bench`` for before/after comparisons run in one sitting.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from contextlib import ExitStack

import httpx

from benchmarks.run import AUTH, LATENCY_MS, ROUND_TRIPS, VARIABLES, Server, gateway_env, started
from schema.operations import load_operations

OPERATIONS = ("Portfolio", "ProjectPage")


async def cold_runs(gateway: Server, sandbox: Server, name: str, runs: int) -> tuple[list[float], int]:
    """Latencies (ms) of ``runs`` cold requests after one warm-up, and the upstream calls of the last."""
    body = {"query": load_operations()[name], "variables": VARIABLES[name]}
    async with httpx.AsyncClient(timeout=120, headers=AUTH) as client:
        probe = (await client.post(f"{gateway.url}/graphql", json=body)).json()
        assert probe.get("data") and not probe.get("errors"), probe
        latencies, calls = [], 0
        for _ in range(runs):
            await client.post(f"{sandbox.url}/_sandbox/reset")
            started_at = time.perf_counter()
            await client.post(f"{gateway.url}/graphql", json=body)
            latencies.append((time.perf_counter() - started_at) * 1000)
            calls = int((await client.get(f"{sandbox.url}/_sandbox/stats")).json()["total"])
    return latencies, calls


def main() -> int:
    args = sys.argv[1:]
    runs = int(args.pop(0)) if args and args[0].isdigit() else 9
    extra = dict(arg.split("=", 1) for arg in args)
    with ExitStack() as stack:
        sandbox = stack.enter_context(
            started(["sandbox", "--latency-ms", str(LATENCY_MS), "--no-throttle"], {}, "/_sandbox/stats")
        )
        env = gateway_env(sandbox, GATEWAY_CACHE="false", GATEWAY_THROTTLE="false", **extra)
        gateway = stack.enter_context(started(["serve"], env, "/healthz"))
        for name in OPERATIONS:
            latencies, calls = asyncio.run(cold_runs(gateway, sandbox, name, runs))
            floor, p50 = ROUND_TRIPS[name] * LATENCY_MS, statistics.median(latencies)
            sys.stdout.write(
                f"{name}: cold p50 {p50:.0f} ms, floor {floor:.0f} ms, {p50 / floor:.2f}x, {calls} upstream calls\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
