"""What OpenSolar reads may be cached for, and which resources each cached answer depends on.

Tags name resources independently of who read them (``opensolar:project:3001``), so one webhook
about project 3001 evicts every tenant's copies of its detail, systems, system details, proposal
and every list page that showed it. Signed private-file URLs expire after an hour upstream, so
file reads get a short TTL (TTL plus the stale window stays well under the hour).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.cache.upstream import CachePolicy
from gateway.upstreams.opensolar_models import id_from_url

__all__ = ["policy_for", "tags_for", "webhook_tags"]

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


def _project_tags(project: dict[str, Any]) -> set[str]:
    tags = {f"opensolar:project:{project['id']}"} if project.get("id") is not None else set()
    tags |= {f"opensolar:contact:{c}" for c in _ids(project.get("contacts_data") or [])}
    tags |= {f"opensolar:system:{s}" for s in _ids(project.get("systems") or [])}
    tags |= {f"opensolar:file:{f}" for f in _ids(project.get("private_files_data") or [])}
    return tags


def tags_for(path: str, params: Mapping[str, str | int], payload: Any) -> set[str]:
    route = _route(path)
    if route is None:
        return set()
    kind, item_id = route
    rows = payload if isinstance(payload, list) else []
    org = _ORG.match(path)
    tags: set[str] = {f"opensolar:org:{org.group(1)}"} if kind == "org" and org else set()
    if kind in {"projects", "contacts", "files", "webhooks", "workflows", "roles"}:
        tags.add(f"opensolar:list:{kind}")
    if kind == "projects":
        for row in rows:
            tags |= _project_tags(row) if isinstance(row, dict) else set()
    elif kind == "project" and isinstance(payload, dict):
        tags |= _project_tags(payload)
    elif kind in {"system_details", "proposal"}:
        project_id = item_id or str(params.get("project_ids", ""))
        tags.add(f"opensolar:project:{project_id}")
    elif kind in {"contacts", "contact"}:
        for contact in rows or [payload]:
            if isinstance(contact, dict):
                tags |= {f"opensolar:contact:{contact.get('id')}"}
                tags |= {f"opensolar:project:{id_from_url(u)}" for u in contact.get("projects") or []}
    elif kind in {"systems", "system"}:
        if "project" in params:
            tags.add(f"opensolar:project:{params['project']}")
        for system in rows or [payload]:
            if isinstance(system, dict):
                tags |= {
                    f"opensolar:system:{system.get('id')}",
                    f"opensolar:project:{id_from_url(system.get('project'))}",
                }
    elif kind in {"files", "file"}:
        for file in rows or [payload]:
            if isinstance(file, dict):
                tags |= {f"opensolar:file:{file.get('id')}", f"opensolar:project:{id_from_url(file.get('project'))}"}
    return {tag for tag in tags if not tag.endswith(":None")}


def webhook_tags(model: str, model_id: int, event: str, fields: Mapping[str, Any] | None) -> set[str]:
    """What an OpenSolar webhook (model, model_id, event) makes stale."""
    model = model.lower()
    tags: set[str] = set()
    if model == "project":
        tags.add(f"opensolar:project:{model_id}")
        if event in {"CREATE", "DELETE"}:
            tags.add("opensolar:list:projects")
    elif model == "contact":
        tags.add(f"opensolar:contact:{model_id}")
        if event in {"CREATE", "DELETE"}:
            tags.add("opensolar:list:contacts")
    # events, quotes and their logs hang off a project: its detail (events_data) is stale
    project = id_from_url(str((fields or {}).get("project") or "")) or (fields or {}).get("project_id")
    if project:
        tags.add(f"opensolar:project:{project}")
    return tags
