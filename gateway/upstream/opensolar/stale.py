"""Which cached OpenSolar reads a gateway write makes stale (the tags ``cache_policy`` attaches).

Projects and contacts reuse ``webhook_tags``: a write through the gateway and OpenSolar's webhook
about the same change evict the same entries. Files, webhooks and generated documents, which send
no webhook, follow the same scheme: the item, its project's detail (which inlines
``private_files_data``), and the list pages when an item appears or disappears.
"""

from __future__ import annotations

from enum import StrEnum

from gateway.upstream.opensolar.cache_policy import tag, webhook_tags

__all__ = ["Change", "write_tags"]


class Change(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


def write_tags(
    org_id: int, kind: str, item_id: int | None, change: Change, *, project_id: int | None = None
) -> set[str]:
    """The tags to evict after writing one ``kind`` (project, contact, file, webhook) item in ``org_id``."""
    fields = {"project_id": project_id} if project_id is not None else None
    if kind in {"project", "contact"} and item_id is not None:
        return webhook_tags(org_id, kind, item_id, change.value, fields)
    tags: set[str] = set()
    if kind == "file":
        if item_id is not None:
            tags.add(tag(org_id, "file", item_id))
        if project_id is not None:
            tags.add(tag(org_id, "project", project_id))
        if change is not Change.UPDATE:
            tags.add(tag(org_id, "list", "files"))
    elif kind == "workflow":
        tags.add(tag(org_id, "list", "workflows"))  # list and detail reads carry the list tag
    elif kind == "webhook":
        tags.add(tag(org_id, "list", "webhooks"))  # the list is the only cached webhook read
    return tags
