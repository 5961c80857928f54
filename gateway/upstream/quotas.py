"""OpenSolar's documented throttle limits, by endpoint class.

Source: developers.opensolar.com/api/throttle (see ../shared/reference/opensolar-api.md §2). "All
endpoints on OpenSolar have a throttle quota applied to them even if they are not listed": the
unlisted quota is unpublished, so ``DEFAULT`` is our assumption (300/min per user, 10,000/day per org).
The gateway paces itself against this table; the sandbox enforces its own transcription of the same page
(``gateway/sandbox/quotas.py``), and ``tests/unit/gateway/sandbox/test_quotas.py`` pins both to the reference.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum

import limits

__all__ = ["OPENSOLAR_LIMITS", "EndpointClass", "Rate", "ThrottleLimit", "classify_opensolar", "parse_quotas"]

MINUTE_S = 60.0
HOUR_S = 3600.0
DAY_S = 86400.0


class EndpointClass(StrEnum):
    PROJECT_WRITE = "project_write"
    PROJECT_DETAIL = "project_detail"
    SYSTEM_DETAILS = "system_details"
    SYSTEM_IMAGE = "system_image"
    CONNECTED_ORGS = "connected_orgs"
    PROPOSAL = "proposal"
    PRIVATE_FILES = "private_files"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Rate:
    requests: int
    period_s: float


@dataclass(frozen=True, slots=True)
class ThrottleLimit:
    per_user: Rate | None
    per_org: Rate | None


_ORG_DAY = Rate(10_000, DAY_S)

OPENSOLAR_LIMITS: dict[EndpointClass, ThrottleLimit] = {
    EndpointClass.PROJECT_WRITE: ThrottleLimit(Rate(10, MINUTE_S), _ORG_DAY),
    EndpointClass.PROJECT_DETAIL: ThrottleLimit(Rate(100, MINUTE_S), _ORG_DAY),
    EndpointClass.SYSTEM_DETAILS: ThrottleLimit(Rate(60, MINUTE_S), _ORG_DAY),
    EndpointClass.SYSTEM_IMAGE: ThrottleLimit(Rate(10, MINUTE_S), _ORG_DAY),
    EndpointClass.CONNECTED_ORGS: ThrottleLimit(Rate(100, DAY_S), Rate(100, DAY_S)),
    EndpointClass.PROPOSAL: ThrottleLimit(Rate(100, MINUTE_S), _ORG_DAY),
    # "1000 requests per day per org for both read and write operations"; user scope 1000/hour.
    EndpointClass.PRIVATE_FILES: ThrottleLimit(Rate(1000, HOUR_S), Rate(1000, DAY_S)),
    EndpointClass.DEFAULT: ThrottleLimit(Rate(300, MINUTE_S), _ORG_DAY),
}

_PROJECT_ITEM = re.compile(r"^/api/orgs/\d+/projects/\d+/?$")
_PROJECT_LIST = re.compile(r"^/api/orgs/\d+/projects/?$")
_SYSTEM_DETAILS = re.compile(r"^/api/orgs/\d+/projects/\d+/systems/details/?$")
_SYSTEM_IMAGE = re.compile(r"^/api/orgs/\d+/projects/\d+/systems/[^/]+/image/?$")
_CONNECTED = re.compile(r"^/api/orgs/\d+/connected_orgs(/|$)")
_PRIVATE_FILES = re.compile(r"^/api/orgs/\d+/private_files(/|$)")
_PROPOSAL = re.compile(r"^/api/user_logins/?$")


def classify_opensolar(method: str, path: str) -> EndpointClass:
    """The throttle class of one OpenSolar call, from its method and URL path."""
    method = method.upper()
    if _PROJECT_ITEM.match(path):
        if method == "GET":
            return EndpointClass.PROJECT_DETAIL
        return EndpointClass.PROJECT_WRITE if method in {"PUT", "PATCH"} else EndpointClass.DEFAULT
    if _PROJECT_LIST.match(path) and method == "POST":
        return EndpointClass.PROJECT_WRITE
    for pattern, endpoint_class in (
        (_SYSTEM_DETAILS, EndpointClass.SYSTEM_DETAILS),
        (_SYSTEM_IMAGE, EndpointClass.SYSTEM_IMAGE),
        (_CONNECTED, EndpointClass.CONNECTED_ORGS),
        (_PRIVATE_FILES, EndpointClass.PRIVATE_FILES),
        (_PROPOSAL, EndpointClass.PROPOSAL),
    ):
        if pattern.match(path):
            return endpoint_class
    return EndpointClass.DEFAULT


def parse_quotas(text: str) -> dict[EndpointClass, ThrottleLimit]:
    """``OPENSOLAR_LIMITS`` with a deployment's own quotas: ``GATEWAY_OPENSOLAR_QUOTAS``.

    For plans that differ from the published table: comma-separated ``<class>=<rate>`` sets the
    per-user quota and ``<class>.org=<rate>`` the per-org one, a rate in ``limits`` notation
    (``30/minute``, ``10000/day``). Example: ``project_detail=30/minute,proposal.org=5000/day``.
    Raises ``ValueError`` on an unknown class or a malformed rate.
    """
    table = dict(OPENSOLAR_LIMITS)
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, rate_text = part.partition("=")
        class_name, _, scope = name.strip().partition(".")
        if not sep or scope not in {"", "user", "org"}:
            raise ValueError(f"opensolar quota {part!r}: expected <class>[.org]=<n>/<period>")
        try:
            endpoint_class = EndpointClass(class_name)
            item = limits.parse(rate_text.strip())
        except ValueError:
            raise ValueError(
                f"opensolar quota {part!r}: classes are {', '.join(c.value for c in EndpointClass)}; "
                "rates look like 30/minute"
            ) from None
        rate = Rate(item.amount, float(item.get_expiry()))
        field = "per_org" if scope == "org" else "per_user"
        table[endpoint_class] = dataclasses.replace(table[endpoint_class], **{field: rate})
    return table
