"""``make bench-wrk``: repeated operations under wrk, three ways side by side in one run.

For each named operation: a trivial Starlette endpoint returning the very same response bytes (the
ceiling), the gateway with its response cache warm (logging at ``WARNING``, and again at the default
``INFO``, one access line per request), and the gateway with the response cache off and its upstream
cache warm. wrk runs ``-t2 -c16 -d2s`` with the POST body from a Lua script, eight interleaved rounds
per operation (every target once a round, the order reversed every other round); the table gives
medians of req/s, p50 and p99 latency, the ratio to the ceiling (the median of the rounds' ratios),
and the gateway's CPU per request (from /proc, its log writer process included), with the part spent
off the event loop's thread (the log listener thread's and the log writer process's, from each
thread's schedstat). Short rounds, many of them: this machine's speed moves in phases of seconds, and
a phase then weighs on fewer rounds. Sandbox latency is 80 ms, but warm
runs make no upstream call.

``--accept-encoding "gzip, deflate, br, zstd"`` (what ``make bench-wrk`` passes) adds two rows per
operation in the same run: the response-cache hit for a client sending that ``Accept-Encoding`` (it
answers the coding stored with the entry) and its ceiling, the trivial endpoint sending the very same
compressed bytes with their ``Content-Encoding``. The header line gives the load average, since a
shared machine moves every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.proc_stats import off_main_thread_ns, tree_cpu_seconds
from benchmarks.run import TOKEN, VARIABLES, Server, gateway_env, sandbox_server, started
from benchmarks.splice import publish
from schema.operations import load_operations
from tests.integration.servers import free_port

LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.body = io.open("{body}"):read("*a")
"""
LUA_ENCODING = 'wrk.headers["Accept-Encoding"] = "{accept_encoding}"\n'
INFO_ROW = "gateway, response cache warm, INFO access log"
HEADERS = {"content-type": "application/json", "authorization": f"Bearer {TOKEN}"}


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx/3xx answers and socket errors


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk latency: {text!r}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[match.group(2)]


def lua(body_file: str, accept_encoding: str = "") -> str:
    """The wrk script: a POST of the body file, with an ``Accept-Encoding`` header when one is given."""
    script = LUA.format(body=body_file, token=TOKEN)
    return script + (LUA_ENCODING.format(accept_encoding=accept_encoding) if accept_encoding else "")


def wrk(url: str, body_file: str, seconds: int, accept_encoding: str = "") -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua(body_file, accept_encoding))
    out = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"{url}/graphql",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    return parse_wrk(out)


def parse_wrk(out: str) -> Run:
    """wrk's ``--latency`` report as numbers (percentiles from the distribution lines only)."""
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p50 = _ms(re.search(r"^\s+50%\s+(\S+)\s*$", out, re.M).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"^\s+99%\s+(\S+)\s*$", out, re.M).group(1))  # type: ignore[union-attr]
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    except (AttributeError, ValueError) as exc:
        raise RuntimeError(f"could not read wrk's output ({exc}):\n{out}") from None
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Run(rps, p50, p99, total, failed)


@contextmanager
def ceiling(body: bytes, encoding: str | None = None) -> Iterator[str]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(body)
    port = free_port()
    env = {**os.environ, "CEILING_BODY_FILE": f.name, **({"CEILING_ENCODING": encoding} if encoding else {})}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.ceiling:create_app",
            "--factory",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.post(f"{url}/graphql", content=b"{}", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait()
        os.unlink(f.name)


@dataclass
class Row:
    """One target's rounds, summarised: medians of its runs, and its share of the ceiling it is compared with
    (the median over rounds of req/s over the ceiling's req/s in the same round)."""

    label: str
    run: Run  # per-round medians of req/s, p50 and p99; requests and failures summed
    cpu_ms: float | None  # gateway CPU per request (median over rounds); None for a ceiling
    off_loop_ms: float | None  # the part of it off the event loop's thread (log listener, log writer), median
    share: float  # of its ceiling; 1.0 for a ceiling


@dataclass
class Measured:
    """One operation's rows, in the order of the table."""

    name: str
    rows: list[Row]
    info_vs_warning: float  # hits at INFO over hits at WARNING, the median of the rounds' ratios


def share_of(own: list[Run], ceiling_runs: list[Run]) -> float:
    """The median over rounds of a target's req/s over its ceiling's in the same round."""
    return statistics.median(run.rps / top.rps for run, top in zip(own, ceiling_runs, strict=True))


def _median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.requests for r in runs),
        sum(r.failed for r in runs),
    )


def _raw_answer(url: str, payload: bytes, accept_encoding: str) -> tuple[bytes, str | None]:
    """The answer's bytes as sent (still compressed) and their ``Content-Encoding``."""
    headers = {**HEADERS, "accept-encoding": accept_encoding or "identity"}
    with httpx.stream("POST", f"{url}/graphql", content=payload, headers=headers, timeout=60) as response:
        assert response.status_code == 200, response.status_code
        return b"".join(response.iter_raw()), response.headers.get("content-encoding")


@dataclass
class Cpu:
    """A gateway's CPU per request in one run (ms): in all, and the part spent off the event loop's thread."""

    total_ms: float
    off_loop_ms: float


def _gateway_run(target: Server, body_file: str, seconds: int, accept_encoding: str = "") -> tuple[Run, Cpu]:
    cpu, off = tree_cpu_seconds(target.pid), off_main_thread_ns(target.pid)
    run = wrk(target.url, body_file, seconds, accept_encoding)
    requests = max(run.requests, 1)
    return run, Cpu(
        (tree_cpu_seconds(target.pid) - cpu) / requests * 1000, (off_main_thread_ns(target.pid) - off) / requests / 1e6
    )


@dataclass
class _Target:
    label: str
    url: str
    pid: int | None  # None: a ceiling (its CPU is not reported)
    accept_encoding: str
    ceiling: str  # the label of the ceiling it is compared with (its own for a ceiling)


def _rounds(targets: list[_Target], body_file: str, args: Any) -> dict[str, list[tuple[Run, Cpu | None]]]:
    """``args.rounds`` rounds; each runs every target once, the order reversed every other round, so a
    drift of the machine over the run weighs on every target alike."""
    runs: dict[str, list[tuple[Run, Cpu | None]]] = {t.label: [] for t in targets}
    for number in range(args.rounds):
        for target in targets if number % 2 == 0 else targets[::-1]:
            if target.pid is None:
                runs[target.label].append((wrk(target.url, body_file, args.seconds, target.accept_encoding), None))
            else:
                server = Server(target.url, target.pid)
                runs[target.label].append(_gateway_run(server, body_file, args.seconds, target.accept_encoding))
    return runs


def measure(
    name: str, variables: dict[str, object], cached: Server, logged: Server, uncached: Server, args: Any
) -> Measured:
    payload = json.dumps({"query": load_operations()[name], "variables": variables}).encode()
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as body_file:
        body_file.write(payload)
    for server in (cached, logged, uncached):  # warm all (upstream cache, response cache)
        warm = httpx.post(f"{server.url}/graphql", content=payload, headers=HEADERS, timeout=60)
        assert warm.status_code == 200 and "errors" not in warm.json(), warm.text[:300]
    answer, _ = _raw_answer(cached.url, payload, "")
    top = "ceiling (trivial Starlette)"
    with ExitStack() as ceilings:
        targets = [
            _Target(top, ceilings.enter_context(ceiling(answer)), None, "", top),
            _Target("gateway, response cache warm", cached.url, cached.pid, "", top),
            _Target(INFO_ROW, logged.url, logged.pid, "", top),
            _Target("gateway, response cache off, upstream cache warm", uncached.url, uncached.pid, "", top),
        ]
        if args.accept_encoding:
            encoded, coding = _raw_answer(cached.url, payload, args.accept_encoding)
            sent = f"{coding or 'identity'}, {len(encoded):,} B"
            encoded_top = f"ceiling (trivial Starlette), same {sent}"
            url = ceilings.enter_context(ceiling(encoded, coding))
            targets += [
                _Target(encoded_top, url, None, args.accept_encoding, encoded_top),
                _Target(
                    f"gateway, response cache warm, Accept-Encoding: {args.accept_encoding} ({sent})",
                    cached.url,
                    cached.pid,
                    args.accept_encoding,
                    encoded_top,
                ),
            ]
        runs = _rounds(targets, body_file.name, args)
    os.unlink(body_file.name)
    rows = []
    for target in targets:
        own = runs[target.label]
        cpu = [spent for _, spent in own if spent is not None]
        rows.append(
            Row(
                target.label,
                _median_run([run for run, _ in own]),
                statistics.median(spent.total_ms for spent in cpu) if cpu else None,
                statistics.median(spent.off_loop_ms for spent in cpu) if cpu else None,
                share_of([run for run, _ in own], [run for run, _ in runs[target.ceiling]]),
            )
        )
    quiet, info = runs["gateway, response cache warm"], runs[INFO_ROW]
    return Measured(name, rows, share_of([run for run, _ in info], [run for run, _ in quiet]))


def report(measured: list[Measured], args: Any) -> str:
    load = os.getloadavg()
    lines = [
        "",
        "## Repeated operations under wrk (three ways, one run, interleaved rounds)",
        "",
        f'Command: `make bench-wrk` (`python -m benchmarks.wrk --accept-encoding "{args.accept_encoding}"`; '
        f"{args.rounds} rounds of wrk -t2 -c16 -d{args.seconds}s per target, every target once per round, the order "
        f"reversed every other round; POST bodies from a Lua script; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"on {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, one gateway "
        "worker each). The ceiling is a trivial Starlette endpoint returning the same response bytes (for the "
        "compressed rows, the same compressed bytes). Figures are medians over the rounds; a row's share of the "
        "ceiling above it is the median of its per-round ratios (each against the ceiling's run in the same "
        "round), so a machine drifting during the run moves both sides of every ratio. Gateways log at "
        f"`WARNING` except the row `{INFO_ROW}` (the default level: one JSON access line per request, rendered "
        "and written by the log writer process).",
        "",
        "| operation | target | req/s | p50 ms | p99 ms | of ceiling | gateway CPU ms/req | of it off the loop µs/req "
        "| failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for operation in measured:
        for row in operation.rows:
            run, cpu, off = row.run, row.cpu_ms, row.off_loop_ms
            lines.append(
                f"| {operation.name} | {row.label} | {run.rps:.0f} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | "
                f"{100 * row.share:.0f}% | {'' if cpu is None else f'{cpu:.3f}'} | "
                f"{'' if off is None else f'{off * 1000:.1f}'} | {run.failed} |"
            )
    for operation in measured:
        info = next(row for row in operation.rows if row.label == INFO_ROW)
        listener = ""
        if info.cpu_ms and info.off_loop_ms is not None:
            listener = (
                f" Off the event loop (the log writer process and the listener thread), the gateway spent "
                f"{info.off_loop_ms * 1000:.1f} µs per INFO hit, "
                f"{100 * info.off_loop_ms / info.cpu_ms:.0f}% of that gateway's CPU per hit (medians of the rounds)."
            )
        lines.append(
            f"\n{operation.name}: hits with the INFO access log at {100 * operation.info_vs_warning:.0f}% of the hits "
            f"at WARNING (median of the rounds' ratios; issue 16 asks for at least 90%).{listener}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=2, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds per operation")
    parser.add_argument("--write", type=Path, help="splice the table into this file (BENCHMARKS.md)")
    parser.add_argument(
        "--accept-encoding",
        default="",
        help='also measure hits for this Accept-Encoding (e.g. "gzip, deflate, br, zstd")',
    )
    parser.add_argument("--only", help="one operation (Portfolio, ProjectPage or IncentiveSearch)")
    args = parser.parse_args()
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_server(80, "--no-throttle"))
        off = {"GATEWAY_THROTTLE": "false", "GATEWAY_LOG_LEVEL": "WARNING"}
        cached = stack.enter_context(started(["serve"], gateway_env(sandbox, **off), "/healthz"))
        logged = stack.enter_context(  # the default log level: one access line per request
            started(["serve"], gateway_env(sandbox, **{**off, "GATEWAY_LOG_LEVEL": "INFO"}), "/healthz")
        )
        uncached = stack.enter_context(
            started(["serve"], gateway_env(sandbox, GATEWAY_RESPONSE_CACHE="false", **off), "/healthz")
        )
        names = [args.only] if args.only else list(VARIABLES)
        measured = [measure(name, VARIABLES[name], cached, logged, uncached, args) for name in names]
    text = report(measured, args)
    return publish(text, args.write, "bench-wrk")


if __name__ == "__main__":
    raise SystemExit(main())
