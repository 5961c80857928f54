"""The tallies expose exactly what prometheus_client's own Counter and Histogram would, for the same updates."""

from __future__ import annotations

import re

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from gateway.metric_tallies import CounterTally, HistogramTally

BOUNDS = (0.005, 0.01, 0.5, 1.0)


def _exposition(registry: CollectorRegistry) -> list[str]:
    """The text format, with every ``_created`` timestamp replaced (they differ by when each was made)."""
    text = generate_latest(registry).decode()
    return sorted(re.sub(r"^(\S*_created(?:\{[^}]*\})?) \S+$", r"\1 T", line) for line in text.splitlines())


@pytest.mark.parametrize(
    "values",
    [
        [0.005],  # exactly on a bound: counted in that bucket (le is inclusive)
        [0.0050001],  # just past it: the next one
        [0.0, 1.0, 1.0000001, 250.0],  # the first bucket, the last finite one, and +Inf
        [0.2, 0.2, 0.01, 0.004],
    ],
)
def test_a_histogram_tally_matches_prometheus_clients_histogram(values: list[float]) -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    tally = HistogramTally("op_seconds", "latency", ["operation"], BOUNDS)
    ours.register(tally)
    histogram = Histogram("op_seconds", "latency", ["operation"], buckets=BOUNDS, registry=theirs)
    for value in values:
        tally.observe(("A",), value)
        histogram.labels("A").observe(value)
    tally.observe(("B",), 0.01)
    histogram.labels("B").observe(0.01)
    assert _exposition(ours) == _exposition(theirs)


def test_a_counter_tally_matches_prometheus_clients_counter() -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    tally = CounterTally("responses", "by route and status", ["route", "status"])
    ours.register(tally)
    counter = Counter("responses", "by route and status", ["route", "status"], registry=theirs)
    for labels in [("/graphql", "200"), ("/graphql", "200"), ("other", "404")]:
        tally.inc(labels)
        counter.labels(*labels).inc()
    assert _exposition(ours) == _exposition(theirs)
    assert tally.value(("/graphql", "200")) == 2 and tally.value(("/graphql", "500")) == 0


def test_an_empty_tally_exposes_its_family_without_samples() -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    ours.register(HistogramTally("op_seconds", "latency", ["operation"], BOUNDS))
    Histogram("op_seconds", "latency", ["operation"], buckets=BOUNDS, registry=theirs)
    assert _exposition(ours) == _exposition(theirs)
