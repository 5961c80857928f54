"""Counters and histograms kept as plain numbers, handed to Prometheus when it scrapes.

``prometheus_client``'s ``Counter.inc`` and ``Histogram.observe`` take a lock and walk several
objects per call; a response-cache hit made three such calls, and a gateway without them used 4-10%
less CPU per hit under wrk (an interleaved A/B against the same build with them, BENCHMARKS.md).
Every update here happens on the event loop's thread (the middleware, the GraphQL extension,
the upstream clients' observer), so a dictionary of numbers needs no lock; a collector registered
with the app's registry (``prometheus_client``'s custom-collector interface) turns them into the
same metric families, names and labels at scrape time, ``_created`` samples included.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample
from prometheus_client.utils import floatToGoString

__all__ = ["CounterTally", "HistogramTally"]


class CounterTally(Collector):
    """A labelled counter: ``inc(labels)`` on the event loop, exposed as ``<name>_total`` with ``_created``."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labels = tuple(labels)
        self.counts: dict[tuple[str, ...], float] = {}
        self.created: dict[tuple[str, ...], float] = {}

    def inc(self, labels: tuple[str, ...]) -> None:
        try:
            self.counts[labels] += 1
        except KeyError:
            self.counts[labels] = 1
            self.created[labels] = time.time()

    def value(self, labels: tuple[str, ...]) -> float:
        return self.counts.get(labels, 0.0)

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        for labels, count in list(self.counts.items()):
            family.add_metric(labels, count, created=self.created[labels])
        yield family


class HistogramTally(Collector):
    """A labelled histogram with fixed upper bounds: one list of bucket counts and a sum per label set."""

    def __init__(self, name: str, documentation: str, labels: Sequence[str], bounds: Sequence[float]) -> None:
        assert list(bounds) == sorted(bounds) and bounds, "bucket bounds must be given in increasing order"
        self.name = name
        self.documentation = documentation
        self.labels = tuple(labels)
        self.bounds = (*bounds, float("inf"))
        self.le = tuple(str(floatToGoString(bound)) for bound in self.bounds)  # type: ignore[no-untyped-call]
        self.series: dict[tuple[str, ...], list[float]] = {}  # bucket counts (not cumulative), then the sum
        self.created: dict[tuple[str, ...], float] = {}

    def observe(self, labels: tuple[str, ...], value: float) -> None:
        try:
            series = self.series[labels]
        except KeyError:
            series = self.series[labels] = [0.0] * (len(self.bounds) + 1)
            self.created[labels] = time.time()
        series[bisect_left(self.bounds, value)] += 1  # the first bucket whose bound is >= value (le)
        series[-1] += value

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labels)
        for labels, series in list(self.series.items()):
            cumulative, buckets = 0.0, []
            for le, count in zip(self.le, series, strict=False):
                cumulative += count
                buckets.append((le, cumulative))
            family.add_metric(labels, buckets, series[-1])
            family.samples.append(
                Sample(f"{self.name}_created", dict(zip(self.labels, labels, strict=True)), self.created[labels])
            )
        yield family
