"""What the list endpoints are asked for: the project and contact list query, the private-file filter."""

from __future__ import annotations

from gateway.upstream.opensolar.models import Record

__all__ = ["ListQuery", "PrivateFileFilter"]


class ListQuery(Record):
    """What the project and contact lists are asked for upstream (None: not sent).

    ``owner``/``visible_to`` are sent as ``owner_org_id``/``visible_to`` on projects (the Teams
    filters of ``fieldset=list``) and as ``owned_by``/``shared_with`` on contacts.
    """

    search: str | None = None
    ordering: str | None = None
    owner: int | None = None
    visible_to: int | None = None

    def params(self, kind: str) -> dict[str, str | int]:
        owner, shared = ("owner_org_id", "visible_to") if kind == "projects" else ("owned_by", "shared_with")
        params: dict[str, str | int] = {"fieldset": "list"} if kind == "projects" and self.has_teams() else {}
        for key, value in (
            ("search", self.search),
            ("ordering", self.ordering),
            (owner, self.owner),
            (shared, self.visible_to),
        ):
            if value is not None:
                params[key] = value
        return params

    def has_teams(self) -> bool:
        return self.owner is not None or self.visible_to is not None


class PrivateFileFilter(Record):
    project_id: int | None = None
    search: str | None = None
    file_tag: str | None = None
    file_tag_exclude: str | None = None
    user_id: int | None = None
    ordering: str | None = None
