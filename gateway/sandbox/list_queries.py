"""What the simulated project and contact lists do with ``search``, ``ordering`` and the Teams filters.

The reference documents ``owner_org_id`` and ``visible_to`` for projects (``fieldset=list``) and
``owned_by``/``shared_with`` for other entities; ``search`` and ``ordering`` are undocumented on
both, but a client observed ``ordering=-field`` working live. As DRF's ``OrderingFilter`` does, an
ordering on a field that is not allowed is silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.sandbox.data import SandboxData
from gateway.sandbox.records import Contact, Project

__all__ = ["CONTACT_ORDERINGS", "PROJECT_ORDERINGS", "query_contacts", "query_projects"]

PROJECT_ORDERINGS: dict[str, Callable[[Project], Any]] = {
    "id": lambda p: p.id,
    "created_date": lambda p: p.created,
    "modified_date": lambda p: p.modified,
    "title": lambda p: p.title.lower(),
    "priority": lambda p: p.priority,
}
CONTACT_ORDERINGS: dict[str, Callable[[Contact], Any]] = {
    "first_name": lambda c: c.first_name.lower(),
    "family_name": lambda c: c.family_name.lower(),
    "email": lambda c: c.email.lower(),
}


def _ordered(items: list[Any], ordering: str | None, keys: dict[str, Callable[[Any], Any]]) -> list[Any]:
    field = (ordering or "").lstrip("-")
    if field not in keys:
        return items
    return sorted(items, key=lambda item: (keys[field](item), item.id), reverse=(ordering or "").startswith("-"))


def _org_param(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else -1 if value is not None else None


def query_projects(data: SandboxData, projects: list[Project], query: dict[str, str]) -> list[Project]:
    if (search := query.get("search")) is not None:
        needle = search.lower()
        projects = [p for p in projects if needle in _project_text(data, p)]
    owner = _org_param(query.get("owner_org_id"))
    if owner is not None:
        projects = [p for p in projects if p.org_id == owner]
    visible = _org_param(query.get("visible_to"))
    if visible is not None:
        projects = [p for p in projects if visible in p.shared_with]
    return _ordered(projects, query.get("ordering"), PROJECT_ORDERINGS)


def _project_text(data: SandboxData, project: Project) -> str:
    contacts = [data.contacts[cid] for cid in project.contact_ids if cid in data.contacts]
    names = " ".join(f"{c.first_name} {c.family_name} {c.email}" for c in contacts)
    return f"{project.title} {project.address} {project.place.locality} {project.place.zip} {names}".lower()


def query_contacts(contacts: list[Contact], query: dict[str, str], org_id: int) -> list[Contact]:
    if (search := query.get("search")) is not None:
        needle = search.lower()
        contacts = [c for c in contacts if needle in f"{c.first_name} {c.family_name} {c.email} {c.phone}".lower()]
    owner = _org_param(query.get("owned_by"))
    if owner is not None and owner != org_id:
        contacts = []
    if _org_param(query.get("shared_with")) is not None:
        contacts = []  # the sandbox shares projects only
    return _ordered(contacts, query.get("ordering"), CONTACT_ORDERINGS)
