"""The readers and reports behind make bench-peer and make bench-freshness (no servers, no clock)."""

from __future__ import annotations

import json

from benchmarks.freshness_check import project_id, revision, stale_projects, titles_in
from benchmarks.peer import distinct
from benchmarks.peer_report import Round, Side, render, same_round_ratio, workers_bound
from benchmarks.proc_stats import Stat, descendants, parse_stat, rss_kib
from benchmarks.splice import spliced


def test_a_stat_line_is_read_after_the_last_parenthesis() -> None:
    line = "4242 (node (worker) x) S 4200 4242 4242 0 -1 4194560 900 0 0 0 1234 56 0 0 20 0 11 0 77 1 2 3\n"
    assert parse_stat(line) == Stat((4200, 1290)) and parse_stat(line).ppid == 4200


def test_descendants_are_the_whole_tree_below_a_process() -> None:
    stats = {
        1: Stat((0, 0)),
        10: Stat((1, 5)),
        11: Stat((10, 5)),
        12: Stat((10, 5)),
        13: Stat((12, 5)),
        20: Stat((1, 9)),
    }
    assert sorted(descendants(10, stats)) == [10, 11, 12, 13]
    assert descendants(13, stats) == [13]


def test_rss_comes_from_the_vmrss_line() -> None:
    assert rss_kib("Name:\tpython\nVmPeak:\t 9000 kB\nVmRSS:\t  104448 kB\n") == 104448
    assert rss_kib("Name:\tzombie\n") == 0


def test_a_section_is_replaced_where_it_is_and_the_rest_kept() -> None:
    current = "# Benchmarks\n\nA\n\n<!-- node-peer -->\nold\n<!-- /node-peer -->\n\n## Someone else's\nB\n"
    assert spliced(current, "node-peer", "new\n") == (
        "# Benchmarks\n\nA\n\n<!-- node-peer -->\nnew\n<!-- /node-peer -->\n\n## Someone else's\nB\n"
    )


def test_a_missing_section_is_appended() -> None:
    assert spliced("# Benchmarks\nA\n", "freshness", "table") == (
        "# Benchmarks\nA\n\n<!-- freshness -->\ntable\n<!-- /freshness -->\n"
    )
    half = "x\n<!-- freshness -->\nno end marker\n"
    assert spliced(half, "freshness", "t").endswith("<!-- freshness -->\nt\n<!-- /freshness -->\n")


def _round(ours_cpu: float, peer_cpu: float, ours_hits: float, peer_hits: float) -> Round:
    ours = Side(off_cpu_ms=ours_cpu, off_rps=10, off_calls=100, hit_rps=ours_hits, hit_rps_2=ours_hits * 1.5)
    peer = Side(off_cpu_ms=peer_cpu, off_rps=20, off_calls=50, hit_rps=peer_hits, hit_rps_2=peer_hits * 1.8)
    ours.cold_portfolio_ms, peer.cold_portfolio_ms = [90, 100, 200], [120, 130, 140]
    return Round(ours, peer, load=5.0)


def test_ratios_are_taken_inside_each_round_then_the_median() -> None:
    rounds = [_round(40, 20, 6000, 2000), _round(30, 10, 3000, 3000), _round(50, 50, 9000, 1000)]
    # per round: 2.0, 3.0, 1.0 -> median 2.0 (the ratio of the medians would be 40 / 20 = 2.0 too, but hits differ)
    assert same_round_ratio(rounds, "off_cpu_ms") == 2.0
    assert same_round_ratio(rounds, "hit_rps") == 3.0  # 3.0, 1.0, 9.0; the medians' ratio would be 6000/2000
    assert same_round_ratio(rounds, "cold_portfolio_p50") == 100 / 130
    assert same_round_ratio(rounds, "workers_scaling") == 1.5 / 1.8
    assert same_round_ratio([Round(Side(), Side(), 1.0)], "off_cpu_ms") is None


def test_the_table_has_every_figure_and_says_n_a_for_what_was_not_measured() -> None:
    lines = render([_round(40, 20, 6000, 2000)], {"Portfolio": 60, "ProjectPage": 40})
    assert lines[2] == "| every cache off: server CPU per Portfolio, ms (lower is better) | 40.0 | 20.0 | 2.00x |"
    assert "| cold ProjectPage p50, ms | n/a | n/a | n/a |" in lines
    assert "| cold Portfolio p50 / round-trip floor (60 ms) | 1.67x | 2.17x | |" in lines
    assert "| every cache off: server CPU per upstream call, ms | 0.400 | 0.400 | 1.00x |" in lines


def test_revisions_come_from_the_title_suffix() -> None:
    assert (revision("Freshness 3001 rev 12"), revision("1336 Folsom St"), revision(None)) == (12, 0, 0)


def test_titles_are_found_in_both_gateways_answers() -> None:
    ours = {"data": {"org": {"projects": {"nodes": [{"id": "3001", "title": "a"}, {"id": "3002", "title": "b"}]}}}}
    peer = {"data": {"org": {"projectPage": [{"id": 3001, "title": "a"}]}}}
    page = {"data": {"org": {"project": {"id": "3003", "title": "c"}}}}
    peer_page = {"data": {"org": {"projectById": {"id": 3003, "title": "c"}}}}
    assert titles_in(ours) == {3001: "a", 3002: "b"} and titles_in(peer) == {3001: "a"}
    assert titles_in(page) == titles_in(peer_page) == {3003: "c"}
    assert titles_in({"errors": [{"message": "x"}], "data": None}) == {}


def test_an_answer_is_stale_when_it_shows_a_revision_older_than_upstream_had_when_it_was_asked() -> None:
    answer = {"data": {"org": {"projectPage": [{"id": 1, "title": "x rev 4"}, {"id": 2, "title": "y rev 7"}]}}}
    assert stale_projects(answer, {1: 4, 2: 7}) == []
    assert stale_projects(answer, {1: 5, 2: 7}) == [1]  # changed upstream before the request left
    assert stale_projects(answer, {1: 3}) == []  # newer than expected: changed while in flight, not stale


def test_project_ids_are_read_from_database_ids_and_global_ids() -> None:
    assert project_id(3001) == project_id("3001") == project_id("UHJvamVjdDoxMDAxOjMwMDE=") == 3001


def test_two_workers_next_to_wrk_on_two_cores_are_bounded_by_the_cores_they_share() -> None:
    # s = 140 µs per hit, w = 40 µs of wrk's per request: one worker 1/140, two at most 2/180 -> 2*140/180
    assert workers_bound(Side(hit_cpu_us_2=140, wrk_cpu_us=40)) == 2 * 140 / 180
    assert workers_bound(Side(hit_cpu_us_2=900, wrk_cpu_us=0)) == 2.0  # a free client: the cores are the bound
    assert workers_bound(Side(hit_cpu_us_2=140)) is None  # wrk's CPU not measured
    floors = {"Portfolio": 60.0, "ProjectPage": 40.0}
    lines = render([Round(Side(hit_cpu_us=150, hit_cpu_us_2=140, wrk_cpu_us=40), Side(), 1.0)], floors)
    assert "| 2 workers / 1 worker: bound on 2 cores shared with wrk, 2s / (s + w) | 1.56 | n/a | n/a |" in lines
    assert "| 2 workers / 1 worker: hits per server CPU-second | 1.07 | n/a | n/a |" in lines


def test_every_cache_off_request_is_distinct_so_none_coalesces() -> None:
    body = b'{"query": "query Portfolio($first: Int) { org { name } }", "variables": {"first": 50}}'
    first, second = json.loads(distinct(body, 1)), json.loads(distinct(body, 2))
    assert first["query"] == second["query"] == json.loads(body)["query"]
    assert first["variables"] == {"first": 50, "benchRequest": 1} and second["variables"]["benchRequest"] == 2
