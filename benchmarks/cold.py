"""``python -m benchmarks.cold [runs] [--latency-ms N] [--mode cold|off] [NAME=value ...]``: cold latency.

Cold p50 of the portfolio and the project page against the round-trip floor (``benchmarks.run.ROUND_TRIPS``
times the sandbox's latency per call), and the upstream calls per request. The sandbox runs in its own
process; the gateway in another. Two measurements, named because they answer different questions:

- ``--mode cold`` (the default; what issue 16 means by cold): a new credential's first request at production
  defaults. Every request gets a gateway started for it, so its upstream cache, response cache and pacer
  budgets are empty but on, with the ``INFO`` access log, throttling on at both ends and the default inbound
  rate limit. A warm-up request first sends the same document under another org's credential, with variables
  that reach no Arcadia search (Arcadia's cache scope is the app key, shared by every caller, so a search made
  here would be a hit below): it loads the code, opens the OpenSolar connections and puts the document in the
  parsed-document cache, as in a fleet's warm process where only the credential is new. The sandbox is reset
  (counters, throttle windows) before each measured request.
- ``--mode off``: one gateway with every cache off (``GATEWAY_CACHE=false GATEWAY_RESPONSE_CACHE=false``),
  throttling off at both ends, ``WARNING`` logs, sequential requests: what ``make bench`` (at 80 ms) and
  ``make bench-peer`` (at 20 ms, ``INFO`` logs) time as "cold".

``--latency-ms`` defaults to 20 (the issue's simulator and ``make bench-peer``); ``make bench`` uses 80, where
the gateway's own CPU weighs four times less against the floor. Extra gateway settings as ``NAME=value``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx

from benchmarks.run import AUTH, ROUND_TRIPS, VARIABLES, Server, gateway_env, sandbox_server, started
from gateway.sandbox import API_ACCESS_ORG_ID, sandbox_token
from schema.operations import load_operations

OPERATIONS = ("Portfolio", "ProjectPage")
# A second org's credential: the warm-up request shares no cache scope or pacer budget with the measured one.
WARM_UP_AUTH = {"Authorization": f"Bearer {sandbox_token(f'api_access:{API_ACCESS_ORG_ID}')}"}
# No rows, or a project of another org: the warm-up document runs but searches no market.
WARM_UP_VARIABLES: dict[str, dict[str, Any]] = {"Portfolio": {"first": 0}, "ProjectPage": {"id": "3001"}}
OFF = {"GATEWAY_CACHE": "false", "GATEWAY_RESPONSE_CACHE": "false", "GATEWAY_THROTTLE": "false"}


def _body(name: str) -> dict[str, Any]:
    return {"query": load_operations()[name], "variables": VARIABLES[name]}


async def _timed(client: httpx.AsyncClient, gateway: Server, sandbox: Server, name: str) -> tuple[float, int]:
    """One request after a sandbox reset: (milliseconds, upstream calls it made)."""
    await client.post(f"{sandbox.url}/_sandbox/reset")
    started_at = time.perf_counter()
    answer = (await client.post(f"{gateway.url}/graphql", json=_body(name), headers=AUTH)).json()
    elapsed = (time.perf_counter() - started_at) * 1000
    assert answer.get("data") and not answer.get("errors"), str(answer)[:500]
    return elapsed, int((await client.get(f"{sandbox.url}/_sandbox/stats")).json()["total"])


async def off_runs(gateway: Server, sandbox: Server, name: str, runs: int) -> tuple[list[float], int]:
    """``runs`` requests on one caches-off gateway after one unmeasured request of the same operation."""
    async with httpx.AsyncClient(timeout=120) as client:
        await _timed(client, gateway, sandbox, name)
        timed = [await _timed(client, gateway, sandbox, name) for _ in range(runs)]
    return [ms for ms, _ in timed], timed[-1][1]


async def _first_request(gateway: Server, sandbox: Server, name: str) -> tuple[float, int]:
    async with httpx.AsyncClient(timeout=120) as client:
        warm_up = {**_body(name), "variables": WARM_UP_VARIABLES[name]}
        warm = await client.post(f"{gateway.url}/graphql", json=warm_up, headers=WARM_UP_AUTH)
        assert warm.status_code == 200, warm.text[:300]
        return await _timed(client, gateway, sandbox, name)


def cold_runs(sandbox: Server, name: str, runs: int, extra: dict[str, str]) -> tuple[list[float], int]:
    """``runs`` first requests of a credential, each on a gateway started for it with production defaults."""
    latencies, calls = [], 0
    for _ in range(runs):
        env = gateway_env(sandbox, GATEWAY_LOG_LEVEL="INFO", **extra)
        env.pop("GATEWAY_RATE_LIMIT")  # the default inbound limit: one request is far below it
        with started(["serve"], env, "/healthz") as gateway:
            elapsed, calls = asyncio.run(_first_request(gateway, sandbox, name))
        latencies.append(elapsed)
    return latencies, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("runs", nargs="?", type=int, default=7)
    parser.add_argument("settings", nargs="*", help="extra gateway settings, NAME=value")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--mode", choices=("cold", "off"), default="cold")
    args = parser.parse_intermixed_args()  # settings may follow the options
    extra = dict(arg.split("=", 1) for arg in args.settings)
    load = os.getloadavg()[0]
    flags = ["--no-throttle"] if args.mode == "off" else []
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_server(args.latency_ms, *flags))
        if args.mode == "off":
            gateway = stack.enter_context(started(["serve"], gateway_env(sandbox, **OFF, **extra), "/healthz"))
        for name in OPERATIONS:
            if args.mode == "off":
                latencies, calls = asyncio.run(off_runs(gateway, sandbox, name, args.runs))
            else:
                latencies, calls = cold_runs(sandbox, name, args.runs, extra)
            floor, p50 = ROUND_TRIPS[name] * args.latency_ms, statistics.median(latencies)
            sys.stdout.write(
                f"{name} ({args.mode}, {args.latency_ms:.0f} ms/call): p50 {p50:.0f} ms, floor {floor:.0f} ms, "
                f"{p50 / floor:.2f}x, {calls} upstream calls, load {load:.1f} -> {os.getloadavg()[0]:.1f}\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
