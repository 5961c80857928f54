"""``make bench``: the gateway against the sandbox over real sockets, with 80 ms per upstream call.

Processes: the sandbox (``solar-gateway sandbox --latency-ms 80``), a gateway with the upstream
cache off (every request is cold) and one with it on (warm). For each named operation in
``schema/operations/``: upstream calls and p50/p95 latency cold and warm, throughput at concurrency
16 and 64 on a warm cache with the gateway's CPU seconds per request, and its RSS. Then 500
concurrent clients asking for 500 distinct project pages with throttling on at both ends, and a
gateway-less baseline (the same upstream reads made directly with httpx, concurrently) for the
gateway's overhead as a ratio. Latency runs switch throttling off at both ends (a cold portfolio
needs ~35 project details, and OpenSolar allows 100 a minute); the burst keeps it on.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from benchmarks.splice import publish
from gateway.sandbox import RAW_DATA_ORG_ID, sandbox_token
from schema.operations import load_operations
from tests.integration.servers import free_port, process

LATENCY_MS = 80.0
TOKEN = sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}")
AUTH = {"Authorization": f"Bearer {TOKEN}"}  # pass-through: the gateways run with credentials, so not open
APP = ("sandbox-app-id", "sandbox-app-key")
VARIABLES: dict[str, dict[str, Any]] = {
    "Portfolio": {"first": 50},
    "ProjectPage": {"id": "3001"},
    "IncentiveSearch": {"zipCode": "11215", "inputs": [{"key": "systemCost", "value": "30000"}]},
}
# Dependent upstream round trips (the critical path), read off how each operation resolves:
# Portfolio: projects page -> (Arcadia search | systems) -> (project detail | system details).
# ProjectPage: project detail -> Arcadia search; system details and proposal ride along.
# IncentiveSearch: one Arcadia search.
ROUND_TRIPS = {"Portfolio": 3, "ProjectPage": 2, "IncentiveSearch": 1}


@dataclass
class Server:
    url: str
    pid: int


@contextmanager
def started(args: list[str], env: dict[str, str], ready: str) -> Iterator[Server]:
    port = free_port()
    with process([*args, "--port", str(port)], f"http://127.0.0.1:{port}{ready}", env=env) as proc:
        yield Server(f"http://127.0.0.1:{port}", proc.pid)


def sandbox_server(latency_ms: float, *flags: str) -> AbstractContextManager[Server]:
    """The simulated upstreams (both APIs on one port), each call answered after ``latency_ms``."""
    return started(["sandbox", "--latency-ms", f"{latency_ms:g}", *flags], {}, "/_sandbox/stats")


def gateway_env(sandbox: Server, **extra: str) -> dict[str, str]:
    return {
        "OPENSOLAR_BASE_URL": sandbox.url,
        "ARCADIA_BASE_URL": sandbox.url,
        "OPENSOLAR_TOKEN": TOKEN,
        "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
        "ARCADIA_APP_ID": APP[0],
        "ARCADIA_APP_KEY": APP[1],
        "GATEWAY_LOG_LEVEL": "WARNING",
        # one credential driven far past a person's rate: measured without the inbound limit
        "GATEWAY_RATE_LIMIT": "off",
        **extra,
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class OpResult:
    name: str
    cold_calls: tuple[int, int] = (0, 0)
    warm_calls: tuple[int, int] = (0, 0)
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    rps: dict[int, float] = field(default_factory=dict)
    cpu_ms: dict[int, float] = field(default_factory=dict)
    errors: int = 0


class Bench:
    def __init__(self, client: httpx.AsyncClient, sandbox: Server) -> None:
        self.client = client
        self.sandbox = sandbox

    async def upstream_calls(self) -> tuple[int, int]:
        """(calls, distinct resources among them) since the last reset."""
        stats = (await self.client.get(f"{self.sandbox.url}/_sandbox/stats")).json()
        return int(stats["total"]), int(stats["distinct"])

    async def reset(self) -> None:
        await self.client.post(f"{self.sandbox.url}/_sandbox/reset")

    async def query(self, gateway: Server, operation: str, variables: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        response = await self.client.post(f"{gateway.url}/graphql", json={"query": operation, "variables": variables})
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, response.json()

    async def timed(self, gateway: Server, name: str, runs: int) -> tuple[list[float], tuple[int, int], int]:
        """Latencies of sequential requests, median (upstream calls, distinct resources) per request, errors."""
        operation, variables = load_operations()[name], VARIABLES[name]
        latencies, calls, distinct, errors = [], [], [], 0
        for _ in range(runs):
            await self.reset()
            elapsed, body = await self.query(gateway, operation, variables)
            made, unique = await self.upstream_calls()
            calls.append(made)
            distinct.append(unique)
            latencies.append(elapsed)
            errors += bool(body.get("errors"))
        return latencies, (int(statistics.median(calls)), int(statistics.median(distinct))), errors

    async def throughput(self, gateway: Server, name: str, concurrency: int, seconds: float) -> tuple[float, float]:
        operation, variables = load_operations()[name], VARIABLES[name]
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await self.client.post(f"{gateway.url}/graphql", json={"query": operation, "variables": variables})
                done += 1

        cpu_before, started = cpu_seconds(gateway.pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(gateway.pid) - cpu_before
        return done / elapsed, cpu / max(done, 1) * 1000


async def baseline_portfolio(client: httpx.AsyncClient, url: str) -> None:
    """The portfolio's upstream reads without the gateway: same calls, as concurrent as they can be."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    org = f"{url}/api/orgs/{RAW_DATA_ORG_ID}"
    projects = (await client.get(f"{org}/projects/", params={"page": 1, "limit": 50}, headers=auth)).json()

    async def search(zip_code: str) -> Any:
        return (
            await client.get(
                f"{url}/rest/v1/incentives",
                auth=APP,
                params={"zipCode": zip_code, "customerClasses": "RESIDENTIAL", "pageCount": 100, "fields": "ext"},
            )
        ).json()

    searches = {zip_code: search(zip_code) for zip_code in {p["zip"] for p in projects}}
    first = [
        client.get(f"{org}/systems/", headers=auth, params={"fieldset": "list", "project": p["id"], "limit": 100})
        for p in projects
    ]
    await asyncio.gather(*first, *searches.values())
    second = [client.get(f"{org}/projects/{p['id']}/", headers=auth) for p in projects]
    second += [client.get(f"{org}/projects/{p['id']}/systems/details/", headers=auth) for p in projects]
    await asyncio.gather(*second)


async def baseline_project_page(client: httpx.AsyncClient, url: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    org = f"{url}/api/orgs/{RAW_DATA_ORG_ID}"
    detail, _, _ = await asyncio.gather(
        client.get(f"{org}/projects/3001/", headers=auth),
        client.get(f"{org}/projects/3001/systems/details/", headers=auth),
        client.get(f"{url}/api/user_logins/", params={"project_ids": 3001}, headers=auth),
    )
    await client.get(f"{url}/rest/v1/incentives", auth=APP, params={"zipCode": detail.json()["zip"], "pageCount": 100})


async def timed_baseline(make: Callable[[], Awaitable[None]], runs: int) -> list[float]:
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def measure_operations(
    cold: Server, warm: Server, sandbox: Server, quick: bool
) -> tuple[list[OpResult], dict[str, list[float]]]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=120, transport=AiohttpTransport(limits=limits), headers=AUTH) as client:
        bench = Bench(client, sandbox)
        results = []
        for name in VARIABLES:
            result = OpResult(name)
            _, probe = await bench.query(cold, load_operations()[name], VARIABLES[name])
            assert probe.get("data") and not probe.get("errors"), probe  # measure real answers only
            await bench.timed(cold, name, 1)  # imports, connections: not part of the measurement
            result.cold_ms, result.cold_calls, cold_errors = await bench.timed(cold, name, 3 if quick else 9)
            await bench.timed(warm, name, 1)  # fills the cache
            result.warm_ms, result.warm_calls, warm_errors = await bench.timed(warm, name, 5 if quick else 30)
            result.errors = cold_errors + warm_errors
            for concurrency in (16, 64):
                result.rps[concurrency], result.cpu_ms[concurrency] = await bench.throughput(
                    warm, name, concurrency, 2 if quick else 5
                )
            results.append(result)
        baselines = {
            "Portfolio": await timed_baseline(lambda: baseline_portfolio(client, sandbox.url), 3 if quick else 9),
            "ProjectPage": await timed_baseline(lambda: baseline_project_page(client, sandbox.url), 3 if quick else 9),
        }
    return results, baselines


async def cold_portfolio(gateway: Server, sandbox: Server, runs: int) -> list[float]:
    async with httpx.AsyncClient(timeout=120, transport=AiohttpTransport(), headers=AUTH) as client:
        bench = Bench(client, sandbox)
        await bench.timed(gateway, "Portfolio", 1)
        return (await bench.timed(gateway, "Portfolio", runs))[0]


@dataclass
class Burst:
    clients: int
    data: int
    throttled: int
    throttled_with_retry_after: int
    other_errors: int
    upstream_429: int
    upstream_calls: int
    seconds: float


async def burst(gateway: Server, sandbox: Server, clients: int) -> Burst:
    operation = load_operations()["ProjectPage"]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, transport=AiohttpTransport(limits=limits), headers=AUTH) as client:
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(
                client.post(f"{gateway.url}/graphql", json={"query": operation, "variables": {"id": str(3001 + n)}})
                for n in range(clients)
            )
        )
        seconds = time.perf_counter() - started
        stats = (await client.get(f"{sandbox.url}/_sandbox/stats")).json()
    data = throttled = with_retry = other = 0
    for response in responses:
        body = response.json()
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
        if not codes:
            data += 1
        elif codes == {"THROTTLED"}:
            throttled += 1
            with_retry += all(e["extensions"].get("retryAfter") for e in body["errors"])
        else:
            other += 1
    upstream_429 = sum(count for key, count in stats["statuses"].items() if key.endswith(":429"))
    return Burst(clients, data, throttled, with_retry, other, upstream_429, stats["total"], seconds)


def report(
    results: list[OpResult],
    baselines: dict[str, list[float]],
    burst_result: Burst,
    rss: float,
    command: str,
    wide_ms: list[float],
) -> str:
    lines = [
        f"Command: `{command}` (run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores). The sandbox runs as its own process and adds {LATENCY_MS:.0f} ms to every "
        "upstream call; gateways are separate processes; all traffic is on loopback. These shared machines are "
        "noisy: compare the ratios measured in one run more than the absolute times.",
        "",
        "## Named operations",
        "",
        "| operation | upstream calls cold (distinct resources) | warm | cold p50 / p95 ms | floor ms | "
        "cold p50 / floor | "
        "warm p50 / p95 ms | req/s warm c16 | c64 | gateway CPU ms/req c16 | c64 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        floor = ROUND_TRIPS[r.name] * LATENCY_MS
        lines.append(
            f"| {r.name} | {r.cold_calls[0]} ({r.cold_calls[1]}) | {r.warm_calls[0]} | "
            f"{pct(r.cold_ms, 0.5):.0f} / {pct(r.cold_ms, 0.95):.0f} | "
            f"{floor:.0f} | {pct(r.cold_ms, 0.5) / floor:.2f}x | "
            f"{pct(r.warm_ms, 0.5):.1f} / {pct(r.warm_ms, 0.95):.1f} | "
            f"{r.rps[16]:.0f} | {r.rps[64]:.0f} | {r.cpu_ms[16]:.2f} | {r.cpu_ms[64]:.2f} |"
        )
    portfolio_floor = ROUND_TRIPS["Portfolio"] * LATENCY_MS
    lines += [
        "",
        f"Errors in these runs: {sum(r.errors for r in results)}. Gateway RSS after the runs: {rss:.0f} MiB.",
        "",
        "The floor counts dependent round trips only, as if every call at one depth ran at once. The portfolio "
        "also needs ~10 Arcadia searches, and the gateway allows 4 at a time by default (Arcadia's own "
        "rate-limit guidance), so they take 3 waves. With `GATEWAY_ARCADIA_CONCURRENCY=16` the same cold "
        f"portfolio measured p50 {pct(wide_ms, 0.5):.0f} ms ({pct(wide_ms, 0.5) / portfolio_floor:.2f}x floor).",
        "",
        "## Gateway overhead against direct upstream calls",
        "",
        "| operation | direct httpx p50 ms | gateway cold p50 ms | ratio |",
        "| --- | --- | --- | --- |",
    ]
    cold = {r.name: pct(r.cold_ms, 0.5) for r in results}
    for name, latencies in baselines.items():
        lines.append(
            f"| {name} | {pct(latencies, 0.5):.0f} | {cold[name]:.0f} | {cold[name] / pct(latencies, 0.5):.2f}x |"
        )
    b = burst_result
    lines += [
        "",
        f"## {b.clients} concurrent clients, {b.clients} distinct project pages (throttling on at both ends)",
        "",
        "| answered with data | answered THROTTLED (with retryAfter) | other errors | upstream 429s | upstream calls "
        "| seconds |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {b.data} | {b.throttled} ({b.throttled_with_retry_after}) | {b.other_errors} | {b.upstream_429} | "
        f"{b.upstream_calls} | {b.seconds:.1f} |",
        "",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="splice the report into this file (BENCHMARKS.md)")
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke check")
    parser.add_argument("--clients", type=int, default=500)
    args = parser.parse_args()
    command = "make bench" if not args.quick else "python -m benchmarks.run --quick"
    off = {"GATEWAY_THROTTLE": "false"}
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_server(LATENCY_MS, "--no-throttle"))
        cold = stack.enter_context(started(["serve"], gateway_env(sandbox, GATEWAY_CACHE="false", **off), "/healthz"))
        warm = stack.enter_context(started(["serve"], gateway_env(sandbox, **off), "/healthz"))
        wide = stack.enter_context(
            started(
                ["serve"],
                gateway_env(sandbox, GATEWAY_CACHE="false", GATEWAY_ARCADIA_CONCURRENCY="16", **off),
                "/healthz",
            )
        )
        results, baselines = asyncio.run(measure_operations(cold, warm, sandbox, args.quick))
        wide_ms = asyncio.run(cold_portfolio(wide, sandbox, 3 if args.quick else 9))
        rss = rss_mib(warm.pid)
    with ExitStack() as stack:
        projects = str(args.clients + 20)
        sandbox = stack.enter_context(sandbox_server(LATENCY_MS, "--projects", projects))
        gateway = stack.enter_context(started(["serve"], gateway_env(sandbox), "/healthz"))
        burst_result = asyncio.run(burst(gateway, sandbox, args.clients))
    text = report(results, baselines, burst_result, rss, command, wide_ms)
    return publish(text, args.write, "bench")  # the file's other sections (bench-wrk, node-peer, ...) stay


if __name__ == "__main__":
    raise SystemExit(main())
