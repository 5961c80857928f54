"""The side-by-side table of ``benchmarks.peer``: per-round figures in, medians and same-round ratios out."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

__all__ = ["Round", "Side", "render", "same_round_ratio", "workers_bound"]


@dataclass
class Side:
    """One gateway's figures in one round (``None``: not measured)."""

    off_cpu_ms: float | None = None  # every cache off: server CPU ms per Portfolio (process tree)
    off_rps: float | None = None
    off_calls: float | None = None  # upstream calls per Portfolio, every cache off
    off_errors: int | None = None  # answers with errors among them
    hit_rps: float | None = None  # response cache on and warm, Portfolio
    cold_portfolio_ms: list[float] = field(default_factory=list)
    cold_page_ms: list[float] = field(default_factory=list)
    page_calls: float | None = None  # upstream calls per cold ProjectPage
    hit_cpu_us: float | None = None  # server CPU per hit, µs
    hit_rps_2: float | None = None  # the same hits with two workers
    hit_cpu_us_2: float | None = None
    wrk_cpu_us: float | None = None  # wrk's own CPU per request (one-worker run): it shares the cores
    rss_mib: list[float] = field(default_factory=list)  # per process of the two-worker server
    portfolio_routes: dict[str, int] = field(default_factory=dict)  # upstream calls by route, one cold Portfolio
    page_routes: dict[str, int] = field(default_factory=dict)


@dataclass
class Round:
    ours: Side
    peer: Side
    load: float  # 1-minute load average when the round ended


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def same_round_ratio(rounds: list[Round], pick: str) -> float | None:
    """The median over rounds of ours / peer for one figure, each ratio taken inside its own round."""
    ratios = []
    for r in rounds:
        ours, peer = _value(r.ours, pick), _value(r.peer, pick)
        if ours is not None and peer:
            ratios.append(ours / peer)
    return _median(ratios)


def _value(side: Side, pick: str) -> float | None:
    if pick == "cold_portfolio_p50":
        return _median(side.cold_portfolio_ms)
    if pick == "cold_page_p50":
        return _median(side.cold_page_ms)
    if pick == "hit_over_off":
        return side.hit_rps / side.off_rps if side.hit_rps and side.off_rps else None
    if pick == "workers_scaling":
        return side.hit_rps_2 / side.hit_rps if side.hit_rps_2 and side.hit_rps else None
    if pick == "workers_bound":
        return workers_bound(side)
    if pick == "workers_cpu_efficiency":  # hits per server CPU-second, two workers / one
        return side.hit_cpu_us / side.hit_cpu_us_2 if side.hit_cpu_us and side.hit_cpu_us_2 else None
    if pick == "off_cpu_per_call":
        return side.off_cpu_ms / side.off_calls if side.off_cpu_ms and side.off_calls else None
    value = getattr(side, pick)
    return float(value) if value is not None else None


def workers_bound(side: Side, cores: int = 2) -> float | None:
    """The most 2 workers / 1 worker can be when wrk runs on the same ``cores``.

    One worker gets at most one core: 1 / s hits a second (s: server CPU per hit), wrk's w per hit on the
    other core. Two workers and wrk share ``cores``: at most cores / (s + w). So the ratio is at most
    cores * s / (s + w): the cheaper the hit next to wrk's cost, the lower the ceiling.
    """
    s, w = side.hit_cpu_us_2, side.wrk_cpu_us
    if not s or w is None:
        return None
    return min(float(cores), cores * s / (s + w))


def _both(rounds: list[Round], pick: str) -> tuple[float | None, float | None]:
    ours = [v for r in rounds if (v := _value(r.ours, pick)) is not None]
    peer = [v for r in rounds if (v := _value(r.peer, pick)) is not None]
    return _median(ours), _median(peer)


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


ROWS = [  # (label, figure, digits)
    ("every cache off: server CPU per Portfolio, ms (lower is better)", "off_cpu_ms", 1),
    ("every cache off: upstream calls per Portfolio", "off_calls", 0),
    ("every cache off: server CPU per upstream call, ms", "off_cpu_per_call", 3),
    ("every cache off: Portfolio req/s (4 at a time)", "off_rps", 1),
    ("every cache off: answers with errors (of --requests per round)", "off_errors", 0),
    ("response cache on, warm: Portfolio req/s (wrk -t2 -c16)", "hit_rps", 0),
    ("response cache on / every cache off, throughput", "hit_over_off", 0),
    ("cold Portfolio p50, ms", "cold_portfolio_p50", 0),
    ("cold ProjectPage p50, ms", "cold_page_p50", 0),
    ("cold ProjectPage: upstream calls", "page_calls", 0),
    ("response cache on, warm: server CPU per hit, µs", "hit_cpu_us", 0),
    ("2 workers / 1 worker, response-cache hits", "workers_scaling", 2),
    ("2 workers: server CPU per hit (all processes), µs", "hit_cpu_us_2", 0),
    ("wrk's own CPU per request, µs (it shares the 2 cores)", "wrk_cpu_us", 0),
    ("2 workers / 1 worker: bound on 2 cores shared with wrk, 2s / (s + w)", "workers_bound", 2),
    ("2 workers / 1 worker: hits per server CPU-second", "workers_cpu_efficiency", 2),
]


def render(rounds: list[Round], floors_ms: dict[str, float]) -> list[str]:
    """Markdown rows: median per side over the rounds, and the median of the same-round ratios."""
    lines = ["| figure | ours | Node peer | ours / peer (same rounds) |", "| --- | ---: | ---: | ---: |"]
    for label, pick, digits in ROWS:
        ours, peer = _both(rounds, pick)
        ratio = same_round_ratio(rounds, pick)
        times = "n/a" if ratio is None else f"{ratio:.2f}x"
        lines.append(f"| {label} | {_fmt(ours, digits)} | {_fmt(peer, digits)} | {times} |")
    for name, pick in (("Portfolio", "cold_portfolio_p50"), ("ProjectPage", "cold_page_p50")):
        ours, peer = _both(rounds, pick)
        floor = floors_ms[name]
        lines.append(
            f"| cold {name} p50 / round-trip floor ({floor:.0f} ms) | {_fmt(ours and ours / floor, 2)}x | "
            f"{_fmt(peer and peer / floor, 2)}x | |"
        )
    rss = [(r.ours.rss_mib, r.peer.rss_mib) for r in rounds if r.ours.rss_mib or r.peer.rss_mib]
    if rss:
        ours_rss, peer_rss = rss[-1]
        lines.append(
            f"| RSS per process of the 2-worker server, MiB (parent first) | "
            f"{' / '.join(f'{m:.0f}' for m in ours_rss)} | {' / '.join(f'{m:.0f}' for m in peer_rss)} | |"
        )
    return lines
