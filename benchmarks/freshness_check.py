"""What ``benchmarks.freshness`` checks in each answer: the revision of every project title it shows.

The change driver renames projects to ``"<title> rev <n>"`` with ``n`` rising by one per change; an
answer is stale when it shows a project at a lower revision than the latest change that had reached
the upstream (its PATCH had returned) before the request was sent.
"""

from __future__ import annotations

import base64
import re
from typing import Any

__all__ = ["project_id", "revision", "stale_projects", "titles_in"]

_REV = re.compile(r" rev (\d+)$")


def revision(title: str | None) -> int:
    """0 for a title the driver never changed."""
    match = _REV.search(title or "")
    return int(match.group(1)) if match else 0


def titles_in(body: dict[str, Any]) -> dict[int, str]:
    """Project id -> title in one answer of ours or the peer's (Portfolio or ProjectPage shapes)."""
    org = (body.get("data") or {}).get("org") or {}
    projects: list[dict[str, Any]] = []
    if org.get("project"):  # ours, ProjectPage
        projects.append(org["project"])
    if org.get("projectById"):  # the peer, ProjectPage
        projects.append(org["projectById"])
    projects.extend((org.get("projects") or {}).get("nodes") or [])  # ours, Portfolio
    projects.extend(org.get("projectPage") or [])  # the peer, Portfolio
    return {project_id(p["id"]): p.get("title") or "" for p in projects if p and p.get("id") is not None}


def project_id(raw: object) -> int:
    """A database id as is, or the last part of our global id (base64 of ``Project:<org>:<id>``)."""
    text = str(raw)
    if text.isdigit():
        return int(text)
    return int(base64.b64decode(text).decode().rsplit(":", 1)[1])


def stale_projects(body: dict[str, Any], expected: dict[int, int]) -> list[int]:
    """Projects shown at an older revision than ``expected`` (the revisions upstream when the request left)."""
    return sorted(pid for pid, title in titles_in(body).items() if revision(title) < expected.get(pid, 0))
