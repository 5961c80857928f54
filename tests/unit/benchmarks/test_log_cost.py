"""make bench-logs: the table's ratios are taken within each round, and the event loop's thread is the main one."""

from __future__ import annotations

from pathlib import Path

from benchmarks.log_cost import Sample, main_thread_ns, report


def test_ratios_are_per_round_medians_and_cpu_is_per_hit() -> None:
    samples = {
        "WARNING": [Sample(100.0, 1000, 60_000_000, 0), Sample(200.0, 1000, 60_000_000, 0), Sample(100.0, 1000, 1, 0)],
        "INFO": [
            Sample(90.0, 1000, 70_000_000, 2_000_000),
            Sample(100.0, 1000, 70_000_000, 2_000_000),
            Sample(95.0, 1000, 70_000_000, 2_000_000),
        ],
    }
    table = report(samples, "Portfolio", "2026-12-02 19:00 UTC")
    info = next(line for line in table.splitlines() if line.startswith("| INFO"))
    # rounds 0.90, 0.50, 0.95: the median of the ratios (90%), not the ratio of the medians (95 / 100)
    assert info == "| INFO | 95 | 90.0% | 70.0 | 2.0 |"
    assert "3 interleaved rounds" in table


def test_the_event_loops_thread_is_the_main_thread(tmp_path: Path) -> None:
    for tid, ns in ((4242, 9_000), (4243, 250)):
        task = tmp_path / "4242" / "task" / str(tid)
        task.mkdir(parents=True)
        (task / "schedstat").write_text(f"{ns} 0 0\n")
    assert main_thread_ns(4242, tmp_path) == 9_000
