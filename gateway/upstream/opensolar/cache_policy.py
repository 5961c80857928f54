"""What OpenSolar reads may be cached for, and which resources each cached answer depends on.

Tags name a resource as one org sees it (``opensolar:1001:project:3001``), independently of which
credential read it, so one webhook about project 3001 in org 1001 evicts every 1001 user's copies of
its detail and every list page that showed it (``project``), and of its systems, system details and
proposal (``project_systems``: kept when the webhook shows their inputs unchanged, see
``project_inputs.py``), and nothing of any other org. Signed private-file URLs expire after an hour upstream, so
file reads get a short TTL (TTL plus the stale window stays well under the hour).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.cache.upstream import CachePolicy
from gateway.upstream.opensolar.models import id_from_url

__all__ = ["policy_for", "project_tags", "related_project", "tag", "tags_for", "webhook_tags"]

_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/api/orgs/\d+/$"), "org"),
    (re.compile(r"^/api/orgs/\d+/projects/$"), "projects"),
    (re.compile(r"^/api/orgs/\d+/projects/(\d+)/$"), "project"),
    (re.compile(r"^/api/orgs/\d+/projects/(\d+)/systems/details/$"), "system_details"),
    (re.compile(r"^/api/orgs/\d+/contacts/$"), "contacts"),
    (re.compile(r"^/api/orgs/\d+/contacts/(\d+)/$"), "contact"),
    (re.compile(r"^/api/orgs/\d+/systems/$"), "systems"),
    (re.compile(r"^/api/orgs/\d+/systems/(\d+)/$"), "system"),
    (re.compile(r"^/api/orgs/\d+/private_files/$"), "files"),
    (re.compile(r"^/api/orgs/\d+/private_files/(\d+)/$"), "file"),
    (re.compile(r"^/api/orgs/\d+/webhooks/$"), "webhooks"),
    (re.compile(r"^/api/orgs/\d+/webhooks/(\d+)/$"), "webhooks"),
    (re.compile(r"^/api/orgs/\d+/roles/$"), "roles"),
    (re.compile(r"^/api/orgs/\d+/roles/(\d+)/$"), "roles"),
    (re.compile(r"^/api/orgs/\d+/workflows/$"), "workflows"),
    (re.compile(r"^/api/orgs/\d+/workflows/(\d+)/$"), "workflows"),
    (re.compile(r"^/api/user_logins/$"), "proposal"),
]
_ORG = re.compile(r"^/api/orgs/(\d+)/")


def _route(path: str) -> tuple[str, str | None] | None:
    for pattern, kind in _ROUTES:
        match = pattern.match(path)
        if match:
            return kind, match.group(1) if match.groups() else None
    return None


def policy_for(path: str, ttls: Mapping[str, float]) -> CachePolicy | None:
    route = _route(path)
    if route is None or ttls.get(route[0], 0) <= 0:
        return None
    return CachePolicy(route[0], ttls[route[0]])


def _ids(items: Iterable[Any], key: str = "id") -> set[str]:
    return {str(item[key]) for item in items if isinstance(item, dict) and item.get(key) is not None}


def tag(org_id: int | str, kind: str, item: object) -> str:
    """One resource as seen by one org: ``opensolar:1001:project:3001`` (``list`` kinds name a list)."""
    return f"opensolar:{org_id}:{kind}:{item}"


def project_tags(org_id: int | str, project_id: object) -> set[str]:
    """Everything cached of one project: its record (``project``) and what its systems make (``project_systems``)."""
    return {tag(org_id, "project", project_id), tag(org_id, "project_systems", project_id)}


def _project_tags(org: str, project: dict[str, Any]) -> set[str]:
    tags = {tag(org, "project", project["id"])} if project.get("id") is not None else set()
    tags |= {tag(org, "contact", c) for c in _ids(project.get("contacts_data") or [])}
    tags |= {tag(org, "system", s) for s in _ids(project.get("systems") or [])}
    tags |= {tag(org, "file", f) for f in _ids(project.get("private_files_data") or [])}
    return tags


def _proposal_orgs(payload: Any, project_id: str) -> set[str]:
    """The orgs ``/api/user_logins/`` lists the project under (the path names none)."""
    orgs: set[str] = set()
    for org in payload if isinstance(payload, list) else []:
        if not isinstance(org, dict):
            continue
        org_id = org.get("id") or _url_id(org.get("url"))
        listed = org.get("projects")
        projects: list[Any] = listed if isinstance(listed, list) else []
        if org_id is not None and any(
            isinstance(p, dict) and project_id in {str(p.get("id")), str(_url_id(p.get("url")))} for p in projects
        ):
            orgs.add(str(org_id))
    return orgs


def _url_id(url: Any) -> int | None:
    return id_from_url(url) if isinstance(url, str) else None


def tags_for(path: str, params: Mapping[str, str | int], payload: Any) -> set[str]:
    """The resources a cached read depends on, each tagged with the org it was read through.

    Tags are per org, so a webhook for one org (whose secret proves only that org) never evicts
    another org's entries, and a CREATE in one org leaves other orgs' lists alone.
    """
    route = _route(path)
    if route is None:
        return set()
    kind, item_id = route
    rows = payload if isinstance(payload, list) else []
    match = _ORG.match(path)
    if match is None:  # /api/user_logins/: the proposal of a project, under the orgs it names
        project_id = str(params.get("project_ids", ""))
        orgs = _proposal_orgs(payload, project_id) if project_id else set()
        return {tag(org, "project_systems", project_id) for org in orgs}
    org = match.group(1)
    tags: set[str] = {tag(org, "org", org)} if kind == "org" else set()
    if kind in {"projects", "contacts", "files", "webhooks", "workflows", "roles"}:
        tags.add(tag(org, "list", kind))
    if kind == "projects":
        for row in rows:
            tags |= _project_tags(org, row) if isinstance(row, dict) else set()
    elif kind == "project" and isinstance(payload, dict):
        tags |= _project_tags(org, payload)
    elif kind == "system_details":
        tags.add(tag(org, "project_systems", item_id))
    elif kind in {"contacts", "contact"}:
        for contact in rows or [payload]:
            if isinstance(contact, dict):
                tags |= {tag(org, "contact", contact.get("id"))}
                tags |= {tag(org, "project", id_from_url(u)) for u in contact.get("projects") or []}
    elif kind in {"systems", "system"}:
        if "project" in params:
            tags.add(tag(org, "project_systems", params["project"]))
        for system in rows or [payload]:
            if isinstance(system, dict):
                owner = id_from_url(system.get("project"))
                tags |= {tag(org, "system", system.get("id")), tag(org, "project_systems", owner)}
    elif kind in {"files", "file"}:
        for file in rows or [payload]:
            if isinstance(file, dict):
                tags |= {tag(org, "file", file.get("id")), tag(org, "project", id_from_url(file.get("project")))}
    return {t for t in tags if not t.endswith(":None")}


def webhook_tags(
    org_id: int,
    model: str,
    model_id: int,
    event: str,
    fields: Mapping[str, Any] | None,
    *,
    systems_unchanged: bool = False,
) -> set[str]:
    """What an OpenSolar webhook (model, model_id, event) received for ``org_id`` makes stale in that org.

    ``systems_unchanged``: a project UPDATE whose payload shows the inputs of the project's systems,
    system details and proposal unchanged (``SystemInputs``): only its record and list pages go.
    """
    model = model.lower()
    tags: set[str] = set()
    if model == "project":
        keep = systems_unchanged and event == "UPDATE"
        tags |= {tag(org_id, "project", model_id)} if keep else project_tags(org_id, model_id)
        if event in {"CREATE", "DELETE"}:
            tags.add(tag(org_id, "list", "projects"))
    elif model == "contact":
        tags.add(tag(org_id, "contact", model_id))
        if event in {"CREATE", "DELETE"}:
            tags.add(tag(org_id, "list", "contacts"))
    # events, quotes and their logs hang off a project: its detail (events_data) is stale
    project = related_project(fields)
    if project is not None and project != (model_id if model == "project" else None):
        tags |= project_tags(org_id, project)  # a quote or an event may change the proposal too
    return tags


def related_project(fields: Mapping[str, Any] | None) -> int | None:
    """The project an event, quote or quote-activity payload points at (``project`` URL or ``project_id``)."""
    fields = fields or {}
    found = id_from_url(str(fields.get("project") or "")) or fields.get("project_id")
    try:
        number = int(found) if found is not None and not isinstance(found, bool) else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 0 < number < 10**18 else None
