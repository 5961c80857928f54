"""``make bench-logs``: what the INFO access line costs a response-cache hit, per log writer, under wrk.

Three gateways on one sandbox, the response cache warm: logging at ``WARNING`` (no access line),
at ``INFO`` with ``GATEWAY_LOG_WRITER=thread`` (the listener thread renders and writes the lines)
and at ``INFO`` with the default ``process`` (the log writer process does). wrk runs ``-t2 -c16``
against each in turn, ``--rounds`` interleaved rounds of ``--seconds`` (the order reversed every
other round). Per gateway: hits/s (median), hits/s over the WARNING gateway's in the same round
(the median of those ratios), and CPU per hit read from /proc around each run: the event loop's
thread (the main thread's schedstat) and everything else, its other threads and child processes
(the log listener, the log writer process). The question it answers: what a line costs the loop's
thread, where the throughput goes, for each way of writing it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.proc_stats import off_main_thread_ns
from benchmarks.run import VARIABLES, Server, gateway_env, sandbox_server, started
from benchmarks.splice import publish
from benchmarks.wrk import HEADERS, wrk
from schema.operations import load_operations

__all__ = ["Sample", "main", "main_thread_ns", "report"]

TARGETS = {  # label: the settings that differ from the WARNING gateway's
    "WARNING (no access line)": {},
    "INFO, listener thread (GATEWAY_LOG_WRITER=thread)": {"GATEWAY_LOG_LEVEL": "INFO", "GATEWAY_LOG_WRITER": "thread"},
    "INFO, log writer process (the default)": {"GATEWAY_LOG_LEVEL": "INFO", "GATEWAY_LOG_WRITER": "process"},
}


@dataclass(frozen=True)
class Sample:
    """One wrk run against one gateway."""

    rps: float
    requests: int
    loop_ns: int  # the main thread's CPU over the run
    other_ns: int  # every other thread's and child process's


def main_thread_ns(pid: int, proc: Path = Path("/proc")) -> int:
    """CPU time (ns) of ``pid``'s main thread, where a gateway worker runs its event loop."""
    return int((proc / str(pid) / "task" / str(pid) / "schedstat").read_text().split()[0])


def _run(server: Server, body_file: str, seconds: int) -> Sample:
    loop, other = main_thread_ns(server.pid), off_main_thread_ns(server.pid)
    run = wrk(server.url, body_file, seconds)
    return Sample(
        run.rps, max(run.requests, 1), main_thread_ns(server.pid) - loop, off_main_thread_ns(server.pid) - other
    )


def report(samples: dict[str, list[Sample]], name: str, when: str) -> str:
    """The table: per gateway, medians over the rounds; the first gateway is the one the others are compared with."""
    base = next(iter(samples.values()))
    lines = [
        f"Command: `make bench-logs` (`python -m benchmarks.log_cost`), {name} response-cache hits, run {when}; "
        f"{len(base)} interleaved rounds of wrk -t2 -c16. Medians over the rounds; the ratio is the median of "
        "each round's ratio to the WARNING gateway's hits/s in the same round.",
        "",
        "| gateway | hits/s | of WARNING's | event loop's thread, CPU µs per hit "
        "| other threads and processes, µs per hit |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, runs in samples.items():
        ratio = statistics.median(run.rps / top.rps for run, top in zip(runs, base, strict=True))
        loop = statistics.median(run.loop_ns / run.requests / 1000 for run in runs)
        other = statistics.median(run.other_ns / run.requests / 1000 for run in runs)
        rps = statistics.median(run.rps for run in runs)
        lines.append(f"| {label} | {rps:,.0f} | {100 * ratio:.1f}% | {loop:.1f} | {other:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("operation", nargs="?", default="Portfolio")
    parser.add_argument("--seconds", type=int, default=2, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds")
    parser.add_argument("--write", type=Path, help="splice the table into this file (BENCHMARKS.md)")
    args = parser.parse_args()
    body = json.dumps({"query": load_operations()[args.operation], "variables": VARIABLES[args.operation]})
    with ExitStack() as stack, tempfile.NamedTemporaryFile("w", suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        sandbox = stack.enter_context(sandbox_server(80, "--no-throttle"))
        base = {"GATEWAY_THROTTLE": "false", "GATEWAY_LOG_LEVEL": "WARNING"}
        servers = {
            label: stack.enter_context(started(["serve"], gateway_env(sandbox, **{**base, **extra}), "/healthz"))
            for label, extra in TARGETS.items()
        }
        for server in servers.values():  # the response stored, the connections warm
            for _ in range(3):
                httpx.post(f"{server.url}/graphql", content=body, headers=HEADERS, timeout=60).raise_for_status()
        samples: dict[str, list[Sample]] = {label: [] for label in servers}
        for number in range(args.rounds):
            for label in list(servers) if number % 2 == 0 else list(servers)[::-1]:
                samples[label].append(_run(servers[label], body_file.name, args.seconds))
    text = report(samples, args.operation, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return publish(text, args.write, "bench-logs")


if __name__ == "__main__":
    raise SystemExit(main())
