"""``python -m benchmarks.design``: decoding a 27,000-panel design against the stdlib floor.

The floor is what OpenSolar's docs show: ``base64.b64decode`` + ``gzip.decompress`` + ``json.loads``.
Ours is ``decode_design``: the same three steps bounded by the cap (orjson for the JSON), plus the
scene summary that the typed fields read (systems, module groups, panel counts). The design is the
sandbox's scene for one system of 27 module groups of 1,000 panels. CPU time (process time) per
decode, interleaved rounds; the ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.splice import splice
from gateway.gc_tuning import tuned_gc
from gateway.sandbox import SandboxConfig, SandboxState
from gateway.sandbox.designs import build_design, encode_design
from gateway.settings import DEFAULT_DESIGN_MAX_BYTES
from gateway.upstream.opensolar.design_codec import decode_design
from tests.conftest import Gateway, running_gateway, sandbox_settings

GROUPS, PANELS_PER_GROUP = 27, 1000


@dataclasses.dataclass
class _Systems:
    systems: dict[int, Any]


def big_design() -> str:
    data = SandboxState(SandboxConfig()).data
    project = data.projects[min(data.projects)]
    system = data.systems[project.system_ids[0]]
    groups = tuple(
        dataclasses.replace(system.module_groups[0], uuid=f"{n:08x}-0000-4000-8000-000000000000", module_quantity=1000)
        for n in range(GROUPS)
    )
    system = dataclasses.replace(system, module_groups=groups, module_quantity=GROUPS * PANELS_PER_GROUP)
    project = dataclasses.replace(project, system_ids=[system.id])
    return encode_design(build_design(_Systems({system.id: system}), project))  # type: ignore[arg-type]


def floor(encoded: str) -> Any:
    return json.loads(gzip.decompress(base64.b64decode(encoded)))


def ours(encoded: str) -> Any:
    return decode_design(encoded, DEFAULT_DESIGN_MAX_BYTES)


def rounds(encoded: str, count: int) -> tuple[list[float], list[float]]:
    floors, mine = [], []
    for _ in range(count):
        floors.append(cpu_ms(floor, encoded))
        mine.append(cpu_ms(ours, encoded))
    return floors, mine


def report(label: str, floors: list[float], mine: list[float]) -> str:
    """One line for stdout and one Markdown row: median CPU of each side and the median same-round ratio."""
    ratio = statistics.median(m / f for m, f in zip(mine, floors, strict=True))
    floor_ms, ours_ms = statistics.median(floors), statistics.median(mine)
    sys.stdout.write(
        f"{label}: floor (b64decode + gzip.decompress + json.loads) {floor_ms:.1f} ms CPU, "
        f"decode_design (bounded gunzip + orjson + scene summary) {ours_ms:.1f} ms CPU, "
        f"{ratio:.2f}x the floor (median of {len(mine)} interleaved rounds)\n"
    )
    return f"| {label} | {floor_ms:.1f} | {ours_ms:.1f} | {ratio:.2f}x |"


def section(shape: str, rows: list[str], rounds_run: int) -> str:
    """BENCHMARKS.md's design section (issue 16, item 4: target <= 0.8x the stdlib floor)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "## Design decoding against the stdlib floor (issue 16, item 4)",
            "",
            "Command: `make bench-design` "
            f"(`python -m benchmarks.design --rounds {rounds_run} --write BENCHMARKS.md`), run {stamp} on "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}. {shape}. CPU time per "
            "decode (process time), interleaved rounds; the ratio is the median of the per-round ratios. The "
            "floor is what OpenSolar's docs show (`base64.b64decode` + `gzip.decompress` + `json.loads`); ours is "
            "`decode_design` (`gateway/upstream/opensolar/design_codec.py`): the same steps bounded by the "
            "decompression cap, orjson for the JSON, plus the scene summary the typed fields read. Target: <= 0.8x.",
            "",
            "| garbage collector | floor, ms CPU | ours, ms CPU | ours / floor |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
            "The gateway runs with its GC tuning (`gateway/gc_tuning.py`, the first row); the second row is the "
            "same decode under CPython's default GC, for a host that embeds the codec without it.",
        ]
    )


def cpu_ms(fn: Callable[[str], Any], encoded: str) -> float:
    started = time.process_time()
    fn(encoded)
    return (time.process_time() - started) * 1000


# -- the gzip bomb (issue 10, row 4): memory and event-loop latency while bombs decode ----------------

BOMB_QUERY = '{ org { project(id: "3001") { title design { totalPanelCount } } } }'


def _rss_kib(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux >= 4.0)


async def _timed(gateway: Gateway, query: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = await gateway.query(query)
    return (time.perf_counter() - started) * 1000, result


async def _probe(gateway: Gateway, stop: asyncio.Event, into: list[float]) -> None:
    while not stop.is_set():
        ms, _ = await _timed(gateway, "{ __typename }")
        into.append(ms)
        await asyncio.sleep(0.005)


async def _bombs(gateway: Gateway, count: int, codes: Counter[str]) -> None:
    for _ in range(count):
        _, result = await _timed(gateway, BOMB_QUERY)
        codes.update(e["extensions"]["code"] for e in result.get("errors") or [])


async def measure_bomb() -> dict[str, Any]:
    sandbox = SandboxState(SandboxConfig())
    encoded = base64.b64encode(gzip.compress(b"0" * (256 * 1024 * 1024), compresslevel=9)).decode()
    sandbox.design_overrides[3001] = encoded
    async with running_gateway(sandbox_settings(), sandbox) as gateway:
        codes: Counter[str] = Counter()
        await _bombs(gateway, 2, Counter())  # warm: the project detail is cached, pools and threads exist
        idle = [(await _timed(gateway, "{ __typename }"))[0] for _ in range(200)]
        baseline = _rss_kib()
        _reset_peak()
        during: list[float] = []
        stop = asyncio.Event()
        prober = asyncio.ensure_future(_probe(gateway, stop, during))
        await _bombs(gateway, 60, codes)
        await asyncio.gather(*(_bombs(gateway, 10, codes) for _ in range(6)))
        stop.set()
        await prober
        peak = _rss_kib("VmHWM")
        await asyncio.sleep(0.5)
        after = _rss_kib()
        slots = gateway.runtime.upstreams.designs.concurrency
    return {
        "slots": slots,
        "cores": os.cpu_count(),
        "bomb_chars": len(encoded),
        "requests": sum(codes.values()),
        "codes": dict(codes),
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "after_mb": after / 1024,
        "idle_p50_ms": statistics.median(idle),
        "during_p50_ms": statistics.median(during),
        "probes": len(during),
    }


def bomb_section() -> str:
    """RELIABILITY.md's gzip-bomb section, measured in a fresh process so its RSS is the gateway's own."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.design", "--bomb"], capture_output=True, text=True, check=True
    )
    m = json.loads(run.stdout.strip().splitlines()[-1])
    codes = ", ".join(f"{code} x{n}" for code, n in m["codes"].items())
    ratio = m["during_p50_ms"] / m["idle_p50_ms"]
    return "\n".join(
        [
            "",
            "## Gzip-bomb design (issue 10, row 4), one run",
            "",
            f"`python -m benchmarks.design --bomb`: project 3001's design is 256 MiB of zeros in {m['bomb_chars']:,} "
            f"base64 characters, under the default 64 MiB cap, {m['slots']} decode slot(s) on {m['cores']} cores; "
            "60 sequential requests, then 6 concurrent loops of 10, "
            "while `{ __typename }` is sent in a loop. Targets: peak RSS < 300 MB, back within 20 MB of the "
            "baseline after, `{ __typename }` p50 during the bombs < 2x its idle p50.",
            "",
            "| requests | error codes | RSS baseline MB | peak MB | after MB | `__typename` p50 idle ms | "
            "p50 during ms | ratio |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| {m['requests']} | {codes} | {m['baseline_mb']:.0f} | {m['peak_mb']:.0f} | {m['after_mb']:.0f} | "
            f"{m['idle_p50_ms']:.2f} | {m['during_p50_ms']:.2f} | {ratio:.2f}x |",
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--bomb", action="store_true", help="the gzip-bomb run instead, as JSON")
    parser.add_argument("--write", type=Path, help="splice the result into this Markdown file (BENCHMARKS.md)")
    args = parser.parse_args()
    if args.bomb:
        sys.stdout.write(json.dumps(asyncio.run(measure_bomb())) + "\n")
        return 0
    encoded = big_design()
    summary = ours(encoded)
    assert summary.scene.panel_count == GROUPS * PANELS_PER_GROUP
    shape = (
        f"The design: {len(encoded):,} base64 chars, {summary.compressed_bytes:,} gzip bytes, "
        f"{summary.decompressed_bytes:,} JSON bytes, {summary.scene.panel_count:,} panels"
    )
    sys.stdout.write(shape + "\n")
    with tuned_gc():
        rows = [report("gateway GC tuning (as it runs)", *rounds(encoded, args.rounds))]
    rows.append(report("CPython's default GC", *rounds(encoded, args.rounds)))
    if args.write:
        splice(args.write, "bench-design", section(shape, rows, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
