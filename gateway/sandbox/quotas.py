"""OpenSolar's published throttle quotas, as the simulated upstream enforces them.

Transcribed from developers.opensolar.com/api/throttle (../shared/reference/opensolar-api.md §2), row by
row, with no import from the gateway: the sandbox is the oracle the gateway's pacer is judged by, so it
must not read the table it judges (``gateway/upstream/quotas.py``). ``tests/unit/gateway/sandbox/test_quotas.py``
pins both tables to the reference, and ``tests/unit/gateway/sandbox/test_independence.py`` the import graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["OPENSOLAR_QUOTAS", "UNLISTED", "Quota", "opensolar_quota"]

_MINUTE_S = 60.0
_HOUR_S = 3600.0
_DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class Quota:
    """One row of the throttle page: a bucket name, and ``(requests, period_s)`` per user and per org."""

    name: str
    per_user: tuple[int, float] | None
    per_org: tuple[int, float] | None


_ORG_DAY = (10_000, _DAY_S)

# (methods, path, quota). The first match wins; paths are matched in full.
OPENSOLAR_QUOTAS: tuple[tuple[frozenset[str], re.Pattern[str], Quota], ...] = (
    (
        frozenset({"POST"}),
        re.compile(r"/api/orgs/\d+/projects/"),
        Quota("create_project", (10, _MINUTE_S), _ORG_DAY),
    ),
    (
        frozenset({"PUT", "PATCH"}),
        re.compile(r"/api/orgs/\d+/projects/\d+/"),
        Quota("update_project", (10, _MINUTE_S), _ORG_DAY),
    ),
    (
        frozenset({"GET"}),
        re.compile(r"/api/orgs/\d+/projects/\d+/"),
        Quota("project_details", (100, _MINUTE_S), _ORG_DAY),
    ),
    (
        frozenset({"GET"}),
        re.compile(r"/api/orgs/\d+/projects/\d+/systems/details/"),
        Quota("system_details", (60, _MINUTE_S), _ORG_DAY),
    ),
    (
        frozenset({"GET"}),
        re.compile(r"/api/orgs/\d+/projects/\d+/systems/[^/]+/image/"),
        Quota("system_image", (10, _MINUTE_S), _ORG_DAY),
    ),
    (
        frozenset({"GET", "POST", "PATCH"}),
        re.compile(r"/api/orgs/\d+/connected_orgs/(.*)"),
        Quota("connected_orgs", (100, _DAY_S), (100, _DAY_S)),
    ),
    (
        frozenset({"GET"}),
        re.compile(r"/api/user_logins/"),
        Quota("proposal_data", (100, _MINUTE_S), _ORG_DAY),
    ),
    (
        # "1000 requests per day per org for both read and write operations"; the user scope is per hour.
        frozenset({"GET", "POST", "PATCH"}),
        re.compile(r"/api/orgs/\d+/private_files/(.*)"),
        Quota("private_files", (1000, _HOUR_S), (1000, _DAY_S)),
    ),
)

# "All endpoints on OpenSolar have a throttle quota applied to them even if they are not listed." The
# number is unpublished: the sandbox assumes 300/min per user and 10,000/day per org.
UNLISTED = Quota("unlisted", (300, _MINUTE_S), _ORG_DAY)


def opensolar_quota(method: str, path: str) -> Quota:
    """The throttle row that one call to the simulated OpenSolar counts against."""
    method = method.upper()
    normalised = path if path.endswith("/") else f"{path}/"
    for methods, pattern, quota in OPENSOLAR_QUOTAS:
        if method in methods and pattern.fullmatch(normalised):
            return quota
    return UNLISTED
