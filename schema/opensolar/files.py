"""Private files: project documents with short-lived signed download URLs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.upstream.opensolar.models import PrivateFileRecord, id_from_url
from schema.info import Info
from schema.opensolar.backlinks import project_of
from schema.opensolar.fields import record_field
from schema.raw import raw_field
from schema.relay.node import Node

if TYPE_CHECKING:
    from schema.opensolar.projects import Project

__all__ = ["FileTag", "PrivateFile", "PrivateFileOrdering"]


@strawberry.enum(description="Sort orders OpenSolar accepts for private files (default: newest modified first).")
class PrivateFileOrdering(Enum):
    CREATED_DATE = "created_date"
    CREATED_DATE_DESC = "-created_date"
    MODIFIED_DATE = "modified_date"
    MODIFIED_DATE_DESC = "-modified_date"
    TITLE = "title"
    TITLE_DESC = "-title"
    STATUS = "status"
    STATUS_DESC = "-status"
    FILESIZE = "filesize"
    FILESIZE_DESC = "-filesize"


@strawberry.type
class FileTag:
    id: strawberry.ID | None
    title: str | None
    type: str | None


@strawberry.type(description="A private file of the org, usually attached to a project.")
class PrivateFile(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[PrivateFileRecord]

    async def load_full(self, info: Info) -> PrivateFileRecord:
        return await info.context.loaders.private_file.load((self.org_id, self.record.id))

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    raw = raw_field()

    title = record_field("title", str | None)
    file_contents_url = record_field(
        "file_contents", str | None, "A signed download URL; OpenSolar's signatures expire after one hour."
    )
    filesize = record_field("filesize", int | None, "Size in bytes.")
    system_uuid = record_field("system_uuid", str | None)
    status = record_field("status", str | None)
    status_message = record_field("status_message", str | None)
    show_customer = record_field("show_customer", bool | None)
    created_date = record_field("created_date", datetime | None)
    modified_date = record_field("modified_date", datetime | None)

    @strawberry.field
    async def tags(self, info: Info) -> list[FileTag] | None:
        record = self.record if self.record.has("file_tags_data") else await self.load_full(info)
        return [
            FileTag(id=strawberry.ID(str(t.id)) if t.id is not None else None, title=t.title, type=t.type)
            for t in record.file_tags_data
        ]

    @strawberry.field
    async def project(self, info: Info) -> Annotated[Project, strawberry.lazy("schema.opensolar.projects")] | None:
        record = self.record if self.record.has("project") else await self.load_full(info)
        project_id = id_from_url(record.project)
        return project_of(self.org_id, project_id) if project_id is not None else None
