"""``make bench-wrk``: repeated operations under wrk, three ways side by side in one run.

For each named operation: a trivial Starlette endpoint returning the very same response bytes (the
ceiling), the gateway with its response cache warm, and the gateway with the response cache off
and its upstream cache warm. wrk runs ``-t2 -c16 -d15s`` with the POST body from a Lua script; the
table gives req/s, p50 and p99 latency, the ratio to the ceiling, and the gateway's CPU per
request (from /proc). Sandbox latency is 80 ms, but warm runs make no upstream call.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.run import TOKEN, VARIABLES, cpu_seconds, gateway_env, started
from schema.operations import load_operations
from tests.integration.servers import free_port

LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.body = io.open("{body}"):read("*a")
"""
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


def wrk(url: str, body_file: str, seconds: int) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(body=body_file, token=TOKEN))
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
        p50 = _ms(re.search(r"^\s+50%\s+(\S+)$", out, re.M).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"^\s+99%\s+(\S+)$", out, re.M).group(1))  # type: ignore[union-attr]
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    except (AttributeError, ValueError) as exc:
        raise RuntimeError(f"could not read wrk's output ({exc}):\n{out}") from None
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Run(rps, p50, p99, total, failed)


@contextmanager
def ceiling(body: bytes) -> Iterator[str]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(body)
    port = free_port()
    env = {**os.environ, "CEILING_BODY_FILE": f.name}
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--write", type=Path, help="append the table to this file (BENCHMARKS.md)")
    args = parser.parse_args()
    rows = []
    with ExitStack() as stack:
        sandbox = stack.enter_context(
            started(["sandbox", "--latency-ms", "80", "--no-throttle"], {}, "/_sandbox/stats")
        )
        off = {"GATEWAY_THROTTLE": "false", "GATEWAY_LOG_LEVEL": "WARNING"}
        cached = stack.enter_context(started(["serve"], gateway_env(sandbox, **off), "/healthz"))
        uncached = stack.enter_context(
            started(["serve"], gateway_env(sandbox, GATEWAY_RESPONSE_CACHE="false", **off), "/healthz")
        )
        for name, variables in VARIABLES.items():
            payload = json.dumps({"query": load_operations()[name], "variables": variables}).encode()
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as body_file:
                body_file.write(payload)
            for target in (cached, uncached):  # warm both (upstream cache, response cache)
                warm = httpx.post(f"{target.url}/graphql", content=payload, headers=HEADERS, timeout=60)
                assert warm.status_code == 200 and "errors" not in warm.json(), warm.text[:300]
            answer = httpx.post(f"{cached.url}/graphql", content=payload, headers=HEADERS, timeout=60).content
            with ceiling(answer) as ceiling_url:
                top = wrk(ceiling_url, body_file.name, args.seconds)
            results = {}
            for label, target in (
                ("gateway, response cache warm", cached),
                ("gateway, response cache off, upstream cache warm", uncached),
            ):
                cpu = cpu_seconds(target.pid)
                run = wrk(target.url, body_file.name, args.seconds)
                results[label] = (run, (cpu_seconds(target.pid) - cpu) / max(run.requests, 1) * 1000)
            os.unlink(body_file.name)
            rows.append((name, top, results))
    lines = [
        "",
        "## Repeated operations under wrk (three ways, one run)",
        "",
        f"Command: `make bench-wrk` (wrk -t2 -c16 -d{args.seconds}s, POST bodies from a Lua script; run "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, one gateway worker each). The ceiling is "
        "a trivial Starlette endpoint returning the same response bytes.",
        "",
        "| operation | target | req/s | p50 ms | p99 ms | of ceiling | gateway CPU ms/req | failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, top, results in rows:
        lines.append(
            f"| {name} | ceiling (trivial Starlette) | {top.rps:.0f} | {top.p50_ms:.2f} | {top.p99_ms:.2f} | 100% | | "
            f"{top.failed} |"
        )
        for label, (run, cpu) in results.items():
            lines.append(
                f"| {name} | {label} | {run.rps:.0f} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | "
                f"{100 * run.rps / top.rps:.0f}% | {cpu:.2f} | {run.failed} |"
            )
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.write:
        with args.write.open("a") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
