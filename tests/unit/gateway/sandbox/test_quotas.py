"""Both throttle tables, the sandbox's and the gateway's, pinned to OpenSolar's published numbers.

The reference rows are transcribed here so that the test runs anywhere; where the reference sits beside
the clone (``../shared``, as in CI) the transcription is checked against it, so a changed reference fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.sandbox.quotas import UNLISTED, opensolar_quota
from gateway.upstream.quotas import OPENSOLAR_LIMITS, Rate, classify_opensolar

REFERENCE = Path(__file__).resolve().parents[4].parent / "shared" / "reference" / "opensolar-api.md"

# opensolar-api.md §2, verbatim
THROTTLE_TABLE = """\
| Create Project | POST /api/orgs/<org_id>/projects/ | 10/min | 10,000/day |
| Update Project | PUT /api/orgs/<org_id>/projects/<pk>/ | 10/min | 10,000/day |
| Partially Update Project | PATCH /api/orgs/<org_id>/projects/<pk>/ | 10/min | 10,000/day |
| Get Project Details | GET /api/orgs/<org_id>/projects/<pk>/ | 100/min | 10,000/day |
| Get System Details for Project | GET /orgs/<org_id>/projects/<project_id>/systems/details/ | 60/min | 10,000/day |
| Get System Image | GET /orgs/<org_id>/projects/<project_id>/systems/<system_uuid>/image/ | 10/min | 10,000/day |
| Connected orgs (create / patch / list / get) | /api/orgs/<org_id>/connected_orgs/... | 100/day | 100/day |
| Get Proposal Data | GET /api/user_logins/ | 100/min | 10,000/day |
| Private files (org scope): create / patch / list | /api/orgs/<org_id>/private_files... | n/a | 1000/day |
| Private files (user scope): create / patch / list | same | 1000/hour | n/a |
"""
PERIODS_S = {"min": 60.0, "hour": 3600.0, "day": 86400.0}
VERB_METHODS = {"create": "POST", "patch": "PATCH", "list": "GET", "get": "GET"}


def _rate(cell: str) -> tuple[int, float] | None:
    if cell == "n/a":
        return None
    count, _, period = cell.partition("/")
    return int(count.replace(",", "")), PERIODS_S[period]


def _calls(action: str, url: str) -> list[tuple[str, str]]:
    """Concrete (method, path) calls that one row of the table covers."""
    method, _, path = url.rpartition(" ")
    path = path.replace("...", "/").replace("//", "/")
    path = re.sub(r"<\w+>", "7", path.replace("<system_uuid>", "0b4f7e1c-uuid"))
    path = path if path.startswith("/api/") else f"/api{path}"
    path = path if path.endswith("/") else f"{path}/"
    if method:
        return [(method, path)]
    verbs = re.findall(r"create|patch|list|get", action)
    return [(VERB_METHODS[verb], path) for verb in verbs]


def _rows() -> list[tuple[str, str, tuple[int, float] | None, tuple[int, float] | None]]:
    rows = []
    previous_url = ""
    for line in THROTTLE_TABLE.splitlines():
        action, url, per_user, per_org = (cell.strip() for cell in line.strip("|").split("|"))
        url = previous_url if url == "same" else url
        previous_url = url
        for method, path in _calls(action, url):
            rows.append((method, path, _rate(per_user), _rate(per_org)))
    return rows


ROWS = _rows()


def _pair(rate: Rate | None) -> tuple[int, float] | None:
    return None if rate is None else (rate.requests, rate.period_s)


def test_the_transcription_matches_the_reference() -> None:
    if not REFERENCE.exists():
        pytest.skip(f"the reference is not beside this clone ({REFERENCE})")
    assert THROTTLE_TABLE in REFERENCE.read_text()


def test_every_row_was_understood() -> None:
    assert len(ROWS) == 17
    assert ("GET", "/api/orgs/7/projects/7/systems/0b4f7e1c-uuid/image/", (10, 60.0), (10_000, 86400.0)) in ROWS
    assert ("PATCH", "/api/orgs/7/connected_orgs/", (100, 86400.0), (100, 86400.0)) in ROWS


@pytest.mark.parametrize(("method", "path", "per_user", "per_org"), ROWS)
def test_the_sandbox_enforces_the_published_numbers(
    method: str, path: str, per_user: tuple[int, float] | None, per_org: tuple[int, float] | None
) -> None:
    quota = opensolar_quota(method, path)
    assert quota is not UNLISTED
    if per_user is not None:
        assert quota.per_user == per_user
    if per_org is not None:
        assert quota.per_org == per_org


@pytest.mark.parametrize(("method", "path", "per_user", "per_org"), ROWS)
def test_the_gateway_paces_by_the_published_numbers(
    method: str, path: str, per_user: tuple[int, float] | None, per_org: tuple[int, float] | None
) -> None:
    limit = OPENSOLAR_LIMITS[classify_opensolar(method, path)]
    if per_user is not None:
        assert _pair(limit.per_user) == per_user
    if per_org is not None:
        assert _pair(limit.per_org) == per_org


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/orgs/7/projects/"), ("GET", "/api/orgs/7/contacts/3/"), ("DELETE", "/api/orgs/7/projects/7/")],
)
def test_unlisted_endpoints_share_one_assumed_quota(method: str, path: str) -> None:
    assert opensolar_quota(method, path) is UNLISTED
    assert UNLISTED.per_user == (300, 60.0) and UNLISTED.per_org == (10_000, 86400.0)
