"""The sandbox's mutable runtime: configuration, request counters, fault rules and throttles."""

from __future__ import annotations

import fnmatch
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.sandbox.data import SandboxData

__all__ = ["Fault", "SandboxConfig", "SandboxState", "SlidingWindowThrottle"]


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How the simulated upstreams behave. ``latency_ms`` is added to every call.

    ``variant_shapes`` answers the way another reading of the same documents would, where they leave the
    shape open: the proposal's product codes as lists, its figures as numbers, its monthly output as a list.
    """

    seed: int = 7
    latency_ms: float = 0.0
    throttle: bool = True
    raw_data_projects: int = 120
    api_access_projects: int = 30
    arcadia_app_id: str = "sandbox-app-id"
    arcadia_app_key: str = "sandbox-app-key"
    # A plan below the published table: per-user requests per period by quota name, e.g.
    # {"project_details": 30} (gateway/sandbox/quotas.py names), as some real contracts have.
    plan_per_user: dict[str, int] = field(default_factory=dict)
    variant_shapes: bool = False


@dataclass(slots=True)
class Fault:
    """One injected fault, matched on a route name glob (``opensolar.project_detail``, ``arcadia.*``).

    ``status`` answers with that status (a DRF or Arcadia error body unless ``body`` is given);
    ``body`` alone answers 200 with that raw text (malformed JSON); ``delay_s`` sleeps first (a hang
    when longer than the client's timeout); ``trickle_s`` streams the body one byte per interval.
    ``times`` limits how often it fires (None: until cleared); ``project_id`` narrows it to one project.
    """

    route: str
    status: int | None = None
    body: str | None = None
    delay_s: float = 0.0
    trickle_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    project_id: int | None = None

    def matches(self, route: str, path_params: dict[str, Any]) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.project_id is not None and path_params.get("project_id") != self.project_id:
            return False
        return fnmatch.fnmatchcase(route, self.route)


class SlidingWindowThrottle:
    """DRF's ``SimpleRateThrottle``: a log of request times per key, and its ``wait()`` arithmetic."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._history: dict[tuple[str, ...], deque[float]] = {}

    def check(self, key: tuple[str, ...], requests: int, period_s: float) -> int | None:
        """Record one request, or return the ``Retry-After`` seconds when over the rate."""
        now = self._clock()
        history = self._history.setdefault(key, deque())
        while history and history[-1] <= now - period_s:
            history.pop()
        if len(history) >= requests:
            remaining = period_s - (now - history[-1])
            return max(1, math.ceil(remaining))
        history.appendleft(now)
        return None

    def reset(self) -> None:
        self._history.clear()


class SandboxState:
    """Everything one sandbox instance holds; tests and benchmarks read ``counts`` to assert calls."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.data = SandboxData(
            seed=config.seed,
            raw_data_projects=config.raw_data_projects,
            api_access_projects=config.api_access_projects,
        )
        self.counts: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        # The most recent calls' routes and query parameters, for tests that check what was sent.
        self.calls: deque[tuple[str, str, dict[str, str]]] = deque(maxlen=1000)  # route, path, query
        self.faults: list[Fault] = []
        self.throttle = SlidingWindowThrottle(clock)
        self.design_overrides: dict[int, str | None] = {}
        # A test seam: rewrites each successful JSON answer (route name, payload) before it is sent.
        self.reshape: Callable[[str, Any], Any] | None = None
        self.design_cache: dict[int, str] = {}

    @property
    def total_calls(self) -> int:
        return sum(self.counts.values())

    def reset_counters(self) -> None:
        self.counts.clear()
        self.statuses.clear()
        self.calls.clear()

    def params_of(self, route: str) -> list[dict[str, str]]:
        return [params for name, _, params in self.calls if name == route]

    def reset(self) -> None:
        self.reset_counters()
        self.faults.clear()
        self.throttle.reset()
        self.design_overrides.clear()

    def take_fault(self, route: str, path_params: dict[str, Any]) -> Fault | None:
        for fault in reversed(self.faults):  # the newest matching fault wins
            if fault.matches(route, path_params):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def stats(self) -> dict[str, Any]:
        distinct = {(path, tuple(sorted(params.items()))) for _, path, params in self.calls}
        return {
            "total": self.total_calls,
            "distinct": len(distinct),
            "routes": dict(self.counts),
            "statuses": dict(self.statuses),
        }
