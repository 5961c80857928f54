"""The wrk report reader behind BENCHMARKS.md: percentiles come from the distribution lines only."""

from __future__ import annotations

import pytest

from benchmarks.wrk import lua, parse_wrk

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
