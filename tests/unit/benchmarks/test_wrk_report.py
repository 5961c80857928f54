"""The wrk report reader behind BENCHMARKS.md: percentiles come from the distribution lines only."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import benchmarks.wrk as wrk_module
from benchmarks.proc_stats import off_main_thread_ns
from benchmarks.wrk import Cpu, Run, _rounds, _Target, lua, parse_wrk, share_of

REPORT = """Running 15s test @ http://127.0.0.1:50651/graphql
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.72ms  279.65us   8.76ms   94.99%
    Req/Sec     4.67k   334.06     8.99k    97.50%
  Latency Distribution
     50%    1.69ms
     75%    1.73ms
     90%    1.78ms
     99%    1.05s
  140039 requests in 15.10s, 214.48MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   9274.38
Transfer/sec:     14.20MB
"""


def test_percentiles_are_read_from_the_distribution_not_the_stdev_column() -> None:
    run = parse_wrk(REPORT)  # "94.99%" and "97.50%" must not be taken for the 99th and 50th percentiles
    assert (run.rps, run.p50_ms, run.p99_ms, run.requests, run.failed) == (9274.38, 1.69, 1050.0, 140039, 7)


def test_an_unreadable_report_says_what_it_got() -> None:
    with pytest.raises(RuntimeError, match="could not read wrk's output"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_script_sends_accept_encoding_only_when_asked() -> None:
    assert "Accept-Encoding" not in lua("bodies/portfolio.json")
    script = lua("bodies/portfolio.json", "gzip, deflate, br, zstd")
    assert 'wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"' in script.splitlines()
    assert 'io.open("bodies/portfolio.json")' in script


def test_latencies_in_seconds_carry_a_trailing_space_in_wrk_s_report() -> None:
    report = REPORT.replace("     50%    1.69ms\n", "     50%    1.56s \n").replace(
        "     99%    1.05s\n", "     99%    1.88s \n"
    )
    run = parse_wrk(report)
    assert (run.p50_ms, run.p99_ms) == (1560.0, 1880.0)


def _run(rps: float) -> Run:
    return Run(rps, 1.0, 2.0, int(rps), 0)


def test_a_share_is_the_median_of_the_rounds_ratios_not_a_ratio_of_medians() -> None:
    # the machine drifts between rounds: each round's target is compared with the ceiling of that round
    own = [_run(10), _run(30), _run(30)]
    ceiling = [_run(20), _run(100), _run(40)]  # ratios 0.5, 0.3, 0.75: median 0.5 (medians alone: 30 / 40)
    assert share_of(own, ceiling) == 0.5


def test_every_round_runs_every_target_and_reverses_the_order_every_other_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order: list[str] = []

    def fake_wrk(url: str, body_file: str, seconds: int, accept_encoding: str = "") -> Run:
        order.append(url)
        return _run(100)

    monkeypatch.setattr(wrk_module, "wrk", fake_wrk)
    monkeypatch.setattr(wrk_module, "tree_cpu_seconds", lambda pid: 0.0)
    monkeypatch.setattr(wrk_module, "off_main_thread_ns", lambda pid: 0)
    targets = [_Target(name, name, None if name == "top" else 1, "", "top") for name in ("top", "a", "b")]
    runs = _rounds(targets, "body.json", SimpleNamespace(rounds=3, seconds=1))
    assert order == ["top", "a", "b", "b", "a", "top", "top", "a", "b"]
    assert [len(runs[name]) for name in ("top", "a", "b")] == [3, 3, 3]
    assert runs["top"][0][1] is None and runs["a"][0][1] == Cpu(0.0, 0.0)  # CPU is measured for gateways only


def test_cpu_off_the_loop_counts_every_thread_but_the_main_one_and_every_child_process(tmp_path: Path) -> None:
    # the gateway 4242 (main thread 4242, listener 4243), its log writer 4300; 4400 is not theirs
    for pid, ppid, tids in ((4242, 1, (4242, 4243)), (4300, 4242, (4300,)), (4400, 1, (4400,))):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} (python) S {ppid} 0 0 0 0 0 0 0 0 0 5 5 0\n")
        for tid in tids:
            task = tmp_path / str(pid) / "task" / str(tid)
            task.mkdir(parents=True)
            ns = {4242: 9_000_000_000, 4243: 250_000, 4300: 1_000, 4400: 7}[tid]
            (task / "schedstat").write_text(f"{ns} 0 0\n")
    assert off_main_thread_ns(4242, tmp_path) == 251_000
