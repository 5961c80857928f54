"""Private-file mutations (upload, rename/tag, delete) and document generation.

Uploads follow the GraphQL multipart request spec (``operations``, ``map`` and the file parts) and
are sent upstream as OpenSolar's multipart POST (``title``, ``file_contents``, ``project``). Files
count against the private-files quota (1,000/hour per user, 1,000/day per org); each mutation is one
upstream call, never retried, and evicts the file, its project's detail and the file list pages.
"""

# Deliberate repetition (`duplicates` lists it): Strawberry reads each mutation's arguments from its own
# signature, so mutations taking (info, id, input, org_id) share that shape; their bodies share `start()`.

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from gateway.errors import BadRequestError
from schema.info import Info
from schema.opensolar.checks import given, id_list, optional_id, text
from schema.opensolar.files import PrivateFile
from schema.opensolar.writing import Change, Deleted, FileId, OrgArg, ProjectId, Write, arg, start

__all__ = ["DocumentFormat", "FileMutations", "GenerateDocumentInput", "PrivateFilePatch", "PrivateFileUploadInput"]

MAX_TAGS = 20
MAX_TITLE_CHARS = 200
_DOCUMENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2}(?:[-_][A-Za-z]{2,4})?$")
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


@strawberry.input(description="A file to upload (GraphQL multipart request spec) into the org's private files.")
class PrivateFileUploadInput:
    file: Upload = strawberry.field(description="The file part (GATEWAY_MAX_UPLOAD_BYTES at most, 25 MiB by default).")
    title: str | None = strawberry.field(
        default=None, description="Title (at most 200 characters); default: file name."
    )
    project_id: strawberry.ID | None = strawberry.field(default=None, description="The project to attach it to.")
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description=f"File tag ids (e.g. 47 'Extra File'), at most {MAX_TAGS}."
    )


@strawberry.input(description="Changes to a private file (PATCH): only the fields given are sent.")
class PrivateFilePatch:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title (1 to 200 characters).")
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description=f"Replaces the file's tags (file tag ids, at most {MAX_TAGS})."
    )
    show_customer: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether the customer sees it in their proposal."
    )


@strawberry.enum(description="The file format of a generated document.")
class DocumentFormat(Enum):
    PDF = strawberry.enum_value("pdf", description="PDF.")
    DOCX = strawberry.enum_value("docx", description="Word (DOCX).")


@strawberry.input(description="What to generate (POST .../generate_document/:document_type/ and its query).")
class GenerateDocumentInput:
    document_type: str = strawberry.field(
        description="The document type as OpenSolar names it, e.g. 'proposal' or 'contract' (lower-case letters, "
        "digits and underscores; the org's document templates decide which exist)."
    )
    file_format: DocumentFormat = strawberry.field(default=DocumentFormat.PDF, description="PDF (default) or DOCX.")
    document_template_id: strawberry.ID | None = strawberry.field(default=None, description="A document template.")
    system_uuid: str | None = strawberry.field(default=None, description="The system to document (its UUID).")
    payment_option_id: strawberry.ID | None = strawberry.field(default=None, description="A payment option.")
    language: str | None = strawberry.field(default=None, description="Language code, e.g. 'en' or 'en-AU'.")
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description=f"File tag ids for the saved file (at most {MAX_TAGS})."
    )
    temporary: bool = strawberry.field(default=False, description="Save it as a temporary file.")


def _title(value: str | None, argument: str) -> str | None:
    if value is not None and not value.strip():
        raise BadRequestError(f"{argument} cannot be blank.", argument=argument)
    return text(value, argument, MAX_TITLE_CHARS)


async def _read(info: Info, upload: Any) -> tuple[str, bytes, str]:
    limit = info.context.max_upload_bytes
    if not hasattr(upload, "read"):
        raise BadRequestError("input.file must be a file part of a multipart request.", argument="input.file")
    try:
        content: bytes = await upload.read(limit + 1)
    finally:
        await upload.close()  # its spooled temporary file
    if len(content) > limit:
        raise BadRequestError(f"input.file is larger than {limit} bytes.", argument="input.file")
    name = str(getattr(upload, "filename", None) or "upload.bin")[:MAX_TITLE_CHARS]
    return name, content, str(getattr(upload, "content_type", None) or "application/octet-stream")


def _document_query(given_input: GenerateDocumentInput, write: Write) -> dict[str, str | int]:
    query: dict[str, str | int] = {"file_format": str(given_input.file_format.value), "action": "save"}
    if (template := optional_id(given_input.document_template_id, "input.documentTemplateId")) is not None:
        query["document_template_id"] = template
    if (option := optional_id(given_input.payment_option_id, "input.paymentOptionId")) is not None:
        query["payment_option_id"] = option
    if given_input.system_uuid is not None:
        if not _UUID.match(given_input.system_uuid):
            raise BadRequestError("input.systemUuid is not a UUID.", argument="input.systemUuid")
        query["system_uuid"] = given_input.system_uuid
    if given_input.language is not None:
        if not _LANGUAGE.match(given_input.language):
            raise BadRequestError("input.language is not a language code such as 'en'.", argument="input.language")
        query["language"] = given_input.language
    tags = id_list(given_input.tag_ids, "input.tagIds", MAX_TAGS)
    if tags:
        query["file_tags"] = ",".join(write.client.file_tag_link(t) for t in tags)
    if given_input.temporary:
        query["temporary"] = "true"
    return query


@strawberry.type
class FileMutations:
    @strawberry.mutation(description="Upload a private file (multipart). 1 upstream call (private-files quota).")
    async def upload_private_file(
        self,
        info: Info,
        input: Annotated[PrivateFileUploadInput, arg("The file and its details.")],
        org_id: OrgArg = None,
    ) -> PrivateFile:
        write = start(info, org_id)
        title = _title(input.title, "input.title")
        project_id = optional_id(input.project_id, "input.projectId", "Project", write.org_id)
        tags = id_list(input.tag_ids, "input.tagIds", MAX_TAGS)
        upload = await _read(info, input.file)
        form: dict[str, str | list[str]] = {"title": title or upload[0]}
        if project_id is not None:
            form["project"] = write.link("projects", project_id)
        if tags:
            form["file_tags"] = [write.client.file_tag_link(t) for t in tags]  # one form field per tag
        record = await write.client.upload_private_file(write.token, write.org_id, form, upload)
        await write.done("file", record.id, Change.CREATE, project_id=project_id)
        return PrivateFile(org_id=write.org_id, record=record)

    @strawberry.mutation(description="Rename or re-tag a private file (PATCH). 1 upstream call (private-files quota).")
    async def update_private_file(
        self,
        info: Info,
        id: FileId,
        input: Annotated[PrivateFilePatch, arg("The fields to change.")],
        org_id: OrgArg = None,
    ) -> PrivateFile:
        write = start(info, org_id, id)
        file_id = write.id(id, "id", "PrivateFile")
        body: dict[str, Any] = {}
        if given(input.title):
            if input.title is None:
                raise BadRequestError("input.title cannot be null.", argument="input.title")
            body["title"] = _title(input.title, "input.title")
        if given(input.tag_ids):
            body["file_tags"] = [
                write.client.file_tag_link(t) for t in id_list(input.tag_ids, "input.tagIds", MAX_TAGS)
            ]
        if given(input.show_customer):
            if input.show_customer is None:
                raise BadRequestError("input.showCustomer cannot be null.", argument="input.showCustomer")
            body["show_customer"] = input.show_customer
        if not body:
            raise BadRequestError("Nothing to update: give at least one field.", argument="input")
        record = await write.client.update_private_file(write.token, write.org_id, file_id, body)
        await write.done("file", file_id, Change.UPDATE)
        return PrivateFile(org_id=write.org_id, record=record)

    @strawberry.mutation(description="Delete a private file (DELETE). 1 upstream call (private-files quota).")
    async def delete_private_file(self, info: Info, id: FileId, org_id: OrgArg = None) -> Deleted:
        write = start(info, org_id, id)
        return await write.delete(id, "PrivateFile", write.client.delete_private_file, stale="file", kind="privateFile")

    @strawberry.mutation(
        description="Generate a document for a project and save it as a private file (POST generate_document, "
        "action=save). 1 upstream call; OpenSolar renders it, which can take a while."
    )
    async def generate_document(
        self,
        info: Info,
        project_id: ProjectId,
        input: Annotated[GenerateDocumentInput, arg("What to generate.")],
        org_id: OrgArg = None,
    ) -> PrivateFile:
        write = start(info, org_id, project_id)
        project = write.id(project_id, "projectId", "Project")
        if not _DOCUMENT_TYPE.match(input.document_type):
            raise BadRequestError(
                "input.documentType takes lower-case letters, digits and underscores.", argument="input.documentType"
            )
        query = _document_query(input, write)
        record = await write.client.generate_document(write.token, write.org_id, project, input.document_type, query)
        await write.done("file", record.id, Change.CREATE, project_id=project)
        return PrivateFile(org_id=write.org_id, record=record)
