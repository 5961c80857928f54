"""``make bench-freshness``: upstream calls and stale answers at equal freshness, webhooks against a TTL.

Two sandboxes with the same data (``--latency-ms 20``, throttles off): one behind our gateway (every
cache on, its webhook receiver on), one behind the Node peer (GraphQL Mesh + Hive Gateway, response
cache on). Once a second the driver renames one of the first ``--projects`` projects in both
sandboxes (a PATCH upstream) and delivers the change to our receiver as OpenSolar would (a signed
webhook); the peer hears nothing and relies on its TTL. Meanwhile both gateways get the same mixed
workload at ``--rate`` requests a second (the same seeded sequence: 90% ProjectPage of a random
project among them, 10% the Portfolio's first page), for ``--minutes``.

The webhook's ``fields`` is the project record the PATCH answered (the project-detail shape, as
OpenSolar sends it with ``payload_fields`` ``project.*``), so our receiver can tell a rename from a
change to what the project's systems and proposal are built from (``project_inputs.py``).

First a calibration under the same workload (``--rate`` requests a second to ours, 20 changes, each
followed by our ProjectPage until it shows the change): the slowest change to fresh answer is the
staleness we guarantee, and the peer's response-cache TTL is set to it. The report gives, per
gateway, the upstream calls (reads only) per hour and the stale answers served (an answer showing a
project at an older revision than the latest change that had reached the upstream before the request
was sent), plus our time from change to fresh answer during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from benchmarks.freshness_check import revision, stale_projects, titles_in
from benchmarks.peer_process import AUTH, PEER_OPERATIONS, node_peer
from benchmarks.run import Server, gateway_env, sandbox_server, started
from benchmarks.splice import publish
from gateway.http.webhooks import org_secret
from gateway.sandbox import RAW_DATA_ORG_ID
from schema.operations import load_operations

SECRET = "freshness-benchmark-secret"  # noqa: S105 - a made-up receiver secret for a local run
ORG = RAW_DATA_ORG_ID
CALIBRATION_CHANGES = 20  # one a second


@dataclass
class Tally:
    name: str
    requests: int = 0
    stale: int = 0
    errors: int = 0
    skipped: int = 0  # not sent: the gateway had 32 requests in flight already
    calls: int = 0
    routes: dict[str, int] = field(default_factory=dict)  # upstream reads in the run by route
    revisions: dict[int, int] = field(default_factory=dict)  # project -> latest revision upstream
    # polls after a change (calibration and run) that showed no title: the errors' codes, so an outlier says why
    poll_errors: Counter[str] = field(default_factory=Counter)
    slowest_s: float = 0.0
    slowest: str = ""  # the slowest change to a fresh answer: project, seconds, polls, what the stale polls showed


@dataclass
class Gateway:
    tally: Tally
    server: Server
    sandbox: Server
    bodies: dict[str, Any]  # "Portfolio" -> JSON body, "ProjectPage" -> project id -> JSON body


def _bodies(peer: bool, ids: list[int]) -> dict[str, Any]:
    if peer:
        portfolio = {"query": PEER_OPERATIONS["Portfolio"], "variables": {"org": ORG, "first": len(ids)}}
        page = {p: {"query": PEER_OPERATIONS["ProjectPage"], "variables": {"org": ORG, "id": p}} for p in ids}
    else:
        operations = load_operations()
        portfolio = {"query": operations["Portfolio"], "variables": {"first": len(ids)}}
        page = {p: {"query": operations["ProjectPage"], "variables": {"id": str(p)}} for p in ids}
    return {"Portfolio": portfolio, "ProjectPage": page}


async def _ask(client: httpx.AsyncClient, gateway: Gateway, body: dict[str, Any]) -> None:
    expected = dict(gateway.tally.revisions)
    try:
        answer = (await client.post(f"{gateway.server.url}/graphql", json=body)).json()
    except (httpx.HTTPError, ValueError):
        gateway.tally.errors += 1
        return
    gateway.tally.requests += 1
    if answer.get("errors") or not titles_in(answer):
        gateway.tally.errors += 1
    elif stale_projects(answer, expected):
        gateway.tally.stale += 1


async def workload(client: httpx.AsyncClient, gateway: Gateway, ids: list[int], rate: float, until: float) -> None:
    pick, in_flight, tasks = random.Random(16), asyncio.Semaphore(32), set()
    next_at = time.monotonic()

    async def one(body: dict[str, Any]) -> None:
        async with in_flight:
            await _ask(client, gateway, body)

    while (now := time.monotonic()) < until:
        await asyncio.sleep(max(0.0, next_at - now))
        next_at += 1 / rate
        portfolio = pick.random() < 0.1
        body = gateway.bodies["Portfolio"] if portfolio else gateway.bodies["ProjectPage"][pick.choice(ids)]
        if in_flight.locked():
            gateway.tally.skipped += 1
            continue
        task = asyncio.create_task(one(body))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


async def change(client: httpx.AsyncClient, ours: Gateway, peer: Gateway, pid: int, rev: int) -> float:
    """One rename in both upstreams, the webhook to ours; seconds from our upstream change to a fresh answer."""
    title = f"Freshness {pid} rev {rev}"

    async def patch(gateway: Gateway) -> tuple[float, dict[str, Any]]:
        url = f"{gateway.sandbox.url}/api/orgs/{ORG}/projects/{pid}/"
        response = await client.patch(url, json={"title": title}, headers=AUTH)
        response.raise_for_status()
        gateway.tally.revisions[pid] = rev
        return time.monotonic(), response.json()

    async def delivered() -> float:  # the webhook follows our upstream's change, not the slower of the two
        changed, record = await patch(ours)
        hook = {"model": "Project", "model_id": pid, "event": "UPDATE", "fields": record}
        secret = {"X-Solar-Gateway-Secret": org_secret(SECRET, ORG)}
        url = f"{ours.server.url}/webhooks/opensolar/{ORG}"
        (await client.post(url, json=hook, headers=secret)).raise_for_status()
        polls, seen = 0, Counter[str]()
        while True:
            answer = (await client.post(f"{ours.server.url}/graphql", json=ours.bodies["ProjectPage"][pid])).json()
            polls += 1
            shown = titles_in(answer).get(pid)
            if revision(shown) >= rev:
                _note_slowest(ours.tally, pid, time.monotonic() - changed, polls, seen)
                return time.monotonic() - changed
            seen.update(_codes(answer) or ["an older title" if shown else "no title"])
            await asyncio.sleep(0.001)

    delay: float = (await asyncio.gather(delivered(), patch(peer)))[0]
    return delay


async def changes(client: httpx.AsyncClient, ours: Gateway, peer: Gateway, ids: list[int], count: int) -> list[float]:
    delays, started_at = [], time.monotonic()
    for n in range(count):
        await asyncio.sleep(max(0.0, started_at + n - time.monotonic()))  # one change a second
        rev = max([*ours.tally.revisions.values(), 0]) + 1
        delays.append(await change(client, ours, peer, ids[n % len(ids)], rev))
    return delays


def _codes(answer: dict[str, Any]) -> list[str]:
    return [str((error.get("extensions") or {}).get("code")) for error in answer.get("errors") or []]


def _note_slowest(tally: Tally, pid: int, seconds: float, polls: int, seen: Counter[str]) -> None:
    tally.poll_errors.update(code for code in seen.elements() if code not in {"an older title"})
    if seconds > tally.slowest_s:
        tally.slowest_s = seconds
        shown = ", ".join(f"{what} x{count}" for what, count in seen.most_common(3)) or "nothing stale"
        tally.slowest = f"project {pid}, {seconds:.3f} s, polls {polls} ({shown})"


def _reads(sandbox: Server) -> dict[str, int]:
    routes: dict[str, int] = httpx.get(f"{sandbox.url}/_sandbox/stats").json()["routes"]
    return {route: count for route, count in routes.items() if not route.endswith(("_update", "_create"))}


def _client() -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    return httpx.AsyncClient(timeout=60, transport=AiohttpTransport(limits=limits), headers=AUTH)


@contextmanager
def upstreams(stack: ExitStack) -> Iterator[tuple[Gateway, Gateway, list[int]]]:
    ours_sandbox = stack.enter_context(sandbox_server(20, "--no-throttle"))
    peer_sandbox = stack.enter_context(sandbox_server(20, "--no-throttle"))
    env = gateway_env(ours_sandbox, GATEWAY_WEBHOOK_SECRET=SECRET, GATEWAY_THROTTLE="false", GATEWAY_LOG_LEVEL="INFO")
    ours_server = stack.enter_context(started(["serve"], env, "/healthz"))
    ours = Gateway(Tally("ours"), ours_server, ours_sandbox, {})
    peer = Gateway(Tally("Node peer"), Server("", 0), peer_sandbox, {})
    yield ours, peer, []


def _project_ids(ours: Gateway, count: int) -> list[int]:
    body = {"query": load_operations()["Portfolio"], "variables": {"first": count}}
    answer = httpx.post(f"{ours.server.url}/graphql", json=body, headers=AUTH, timeout=120).json()
    return list(titles_in(answer))


async def _warm(gateways: list[Gateway], ids: list[int]) -> None:
    async with _client() as client:
        for gateway in gateways:
            for body in [gateway.bodies["Portfolio"], *gateway.bodies["ProjectPage"].values()]:
                await client.post(f"{gateway.server.url}/graphql", json=body)
            await client.post(f"{gateway.sandbox.url}/_sandbox/reset")
            gateway.tally.requests = gateway.tally.stale = gateway.tally.errors = gateway.tally.skipped = 0


async def _run(ours: Gateway, peer: Gateway, ids: list[int], minutes: float, rate: float) -> tuple[list[float], float]:
    async with _client() as client:
        started_at = time.monotonic()
        until = started_at + minutes * 60
        delays, *_ = await asyncio.gather(
            changes(client, ours, peer, ids, int(minutes * 60)),
            workload(client, ours, ids, rate, until),
            workload(client, peer, ids, rate, until),
        )
        return delays, time.monotonic() - started_at


async def _calibrate(ours: Gateway, peer: Gateway, ids: list[int], rate: float) -> list[float]:
    """Our change to fresh answer under the run's workload (to ours alone: the peer's TTL is not known yet)."""
    async with _client() as client:
        until = time.monotonic() + CALIBRATION_CHANGES
        delays, _ = await asyncio.gather(
            changes(client, ours, peer, ids, CALIBRATION_CHANGES), workload(client, ours, ids, rate, until)
        )
        return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="requests a second to each gateway")
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--peer-ttl-ms", type=int, help="the peer's TTL instead of the calibrated one")
    parser.add_argument("--write", type=Path, help="splice the section into this file (BENCHMARKS.md)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with ExitStack() as stack, upstreams(stack) as (ours, peer, _):
        ids = _project_ids(ours, args.projects)
        ours.bodies, peer.bodies = _bodies(False, ids), _bodies(True, ids)
        asyncio.run(_warm([ours], ids))
        calibration = asyncio.run(_calibrate(ours, peer, ids, args.rate))
        ttl_ms = args.peer_ttl_ms or max(1, math.ceil(max(calibration) * 1000))
        peer.server = stack.enter_context(node_peer(peer.sandbox, cache_ttl_ms=ttl_ms))
        asyncio.run(_warm([ours, peer], ids))
        delays, seconds = asyncio.run(_run(ours, peer, ids, args.minutes, args.rate))
        ours.tally.routes, peer.tally.routes = _reads(ours.sandbox), _reads(peer.sandbox)
        ours.tally.calls, peer.tally.calls = sum(ours.tally.routes.values()), sum(peer.tally.routes.values())
    text = report(ours.tally, peer.tally, Figures(calibration, delays, seconds, ttl_ms, load_before), args)
    return publish(text, args.write, "freshness")


@dataclass
class Figures:
    calibration: list[float]  # seconds from our upstream change to a fresh answer, nothing else running
    delays: list[float]  # the same during the run
    seconds: float
    ttl_ms: int
    load_before: float


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else math.nan


def report(ours: Tally, peer: Tally, f: Figures, args: argparse.Namespace) -> str:
    hours = f.seconds / 3600
    per_hour = {t.name: t.calls / hours for t in (ours, peer)}
    ratio = per_hour["Node peer"] / per_hour["ours"] if per_hour["ours"] else math.inf
    rows = [
        "| | ours (webhooks) | Node peer (TTL) |",
        "| --- | ---: | ---: |",
        f"| answers served | {ours.requests:,} | {peer.requests:,} |",
        f"| upstream reads in the run | {ours.calls:,} | {peer.calls:,} |",
        f"| upstream reads per hour | {per_hour['ours']:,.0f} | {per_hour['Node peer']:,.0f} |",
        f"| stale answers | {_share(ours)} | {_share(peer)} |",
        f"| errors / not sent (32 in flight) | {ours.errors} / {ours.skipped} | {peer.errors} / {peer.skipped} |",
        f"| change to fresh answer, ms | p50 {_ms(f.delays, 0.5):.0f}, p99 {_ms(f.delays, 0.99):.0f}, "
        f"max {_ms(f.delays, 1):.0f} | at most the TTL, {f.ttl_ms} ms |",
        f"| upstream reads per change | {_per_change(ours, f)} | {_per_change(peer, f)} |",
    ]
    lines = [
        "## Freshness: webhooks against a TTL at the same staleness",
        "",
        f"Command: `make bench-freshness` (`python -m benchmarks.freshness --minutes {args.minutes:g} --rate "
        f"{args.rate:g} --projects {args.projects}{f' --peer-ttl-ms {args.peer_ttl_ms}' if args.peer_ttl_ms else ''} "
        f"--write BENCHMARKS.md`), run {datetime.now(UTC):%Y-%m-%d %H:%M} "
        f"UTC for {f.seconds / 60:.1f} minutes on {os.cpu_count()} cores, load average {f.load_before:.1f} before "
        f"and {os.getloadavg()[0]:.1f} after. One change a second (a PATCH upstream, then the signed webhook to our "
        f"receiver); {args.rate:g} requests a second to each gateway (90% ProjectPage, 10% Portfolio of "
        f"{args.projects} projects); the webhook carries the project record the PATCH answered. Calibration "
        f"({len(f.calibration)} changes under the same workload to ours alone): change to fresh answer p50 "
        f"{_ms(f.calibration, 0.5):.0f} ms, max {_ms(f.calibration, 1):.0f} ms; the peer's response-cache TTL "
        f"is {f.ttl_ms} ms ({'set by --peer-ttl-ms' if args.peer_ttl_ms else 'that maximum'}).",
        "",
        *rows,
        "",
        f"The peer made **{ratio:,.1f}x** our upstream reads in the same run (issue 16 asks for at least 20x at "
        f"equal or better staleness); stale answers, ours / peer: {_share(ours)} / {_share(peer)}.",
        "",
        f"Our slowest change to a fresh answer (calibration or run): {ours.slowest or 'none'}; polls after a "
        f"change answered with errors: {dict(ours.poll_errors) or 'none'}.",
        "",
    ]
    return "\n".join(lines) + "\n"


def _per_change(tally: Tally, f: Figures) -> str:
    changes = max(1, len(f.delays))
    top = sorted(tally.routes.items(), key=lambda item: -item[1])[:4]
    parts = ", ".join(f"{route.split('.', 1)[-1]} {count / changes:.2f}" for route, count in top)
    return f"{tally.calls / changes:.2f} ({parts})"


def _share(tally: Tally) -> str:
    return f"{tally.stale:,} ({100 * tally.stale / tally.requests:.2f}%)" if tally.requests else "0"


if __name__ == "__main__":
    raise SystemExit(main())
