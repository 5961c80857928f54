"""The simulated OpenSolar's file writes: private-file uploads (multipart), edits, deletes and generated documents."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.data import SandboxData
from gateway.sandbox.opensolar_dialect import Caller, json_body, owned, project_of, views_of
from gateway.sandbox.pipeline import HttpError, json_response, sandbox_state
from gateway.sandbox.project_fields import link_id
from gateway.sandbox.records import PrivateFile, stamp_now
from gateway.sandbox.team import DOCUMENT_TYPES, FILE_TAGS

__all__ = ["file_create", "file_update", "generate_document"]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _tag_ids(values: list[Any]) -> list[int]:
    ids = [link_id(value, "file_tags") for value in values]
    if any(tid not in FILE_TAGS for tid in ids):
        raise HttpError(400, "Invalid hyperlink - Object does not exist.", field="file_tags")
    return ids


async def file_create(request: Request, caller: Caller) -> Response:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HttpError(415, f'Unsupported media type "{request.headers.get("content-type")}" in request.')
    async with request.form(max_part_size=MAX_UPLOAD_BYTES) as form:
        upload = form.get("file_contents")
        if not isinstance(upload, UploadFile):
            raise HttpError(400, "No file was submitted.", field="file_contents")
        content = await upload.read()
        return _saved_upload(request, caller, form, upload.filename, content)


def _saved_upload(request: Request, caller: Caller, form: FormData, filename: str | None, content: bytes) -> Response:
    data = sandbox_state(request).data
    project_id = link_id(form["project"], "project") if form.get("project") else None
    if project_id is not None and (data.projects.get(project_id) is None or project_id not in caller.org.project_ids):
        raise HttpError(400, "Invalid hyperlink - Object does not exist.", field="project")
    tags = _tag_ids([str(v) for v in form.getlist("file_tags")]) or [47]
    name = filename or "upload.bin"
    file = PrivateFile(
        data.next_id("file"),
        caller.org.id,
        project_id,
        str(form.get("title") or name)[:200],
        name.rsplit(".", 1)[-1].lower() if "." in name else "bin",
        len(content),
        stamp_now(),
        tags[0],
        FILE_TAGS[tags[0]],
        tag_ids=tags,
    )
    _store_file(data, caller, file)
    return json_response(views_of(request).private_file(file), status=201)


def _store_file(data: SandboxData, caller: Caller, file: PrivateFile) -> None:
    data.files[file.id] = file
    caller.org.file_ids.append(file.id)
    if file.project_id is not None:
        data.projects[file.project_id].file_ids.append(file.id)


async def file_update(request: Request, caller: Caller) -> Response:
    data = sandbox_state(request).data
    file = owned(data.files, request, "file_id", caller)
    if request.method == "DELETE":
        del data.files[file.id]
        caller.org.file_ids.remove(file.id)
        if file.project_id is not None and file.project_id in data.projects:
            data.projects[file.project_id].file_ids.remove(file.id)
        return Response(status_code=204)
    payload = await json_body(request)
    if not isinstance(payload, dict):
        raise HttpError(400, "Invalid data. Expected a dictionary.", field="non_field_errors")
    if "title" in payload and not (isinstance(payload["title"], str) and 0 < len(payload["title"]) <= 200):
        raise HttpError(400, "Ensure this field has 1 to 200 characters.", field="title")
    if "show_customer" in payload and not isinstance(payload["show_customer"], bool):
        raise HttpError(400, "Must be a valid boolean.", field="show_customer")
    tags = _tag_ids(payload["file_tags"] or []) if "file_tags" in payload else None
    file.title = payload.get("title", file.title)
    file.show_customer = payload.get("show_customer", file.show_customer)
    if tags is not None:
        file.tag_ids = tags
    file.modified = stamp_now()
    return json_response(views_of(request).private_file(file))


async def generate_document(request: Request, caller: Caller) -> Response:
    project = project_of(request, caller)
    document_type = request.path_params["document_type"]
    if document_type not in DOCUMENT_TYPES:
        raise HttpError(400, f'"{document_type}" is not a document type this org can generate.', field="document_type")
    query = request.query_params
    file_format = query.get("file_format", "pdf")
    if file_format not in {"pdf", "docx"}:
        raise HttpError(400, f'"{file_format}" is not a valid choice.', field="file_format")
    data = sandbox_state(request).data
    uuid_ = query.get("system_uuid")
    if uuid_ and all(data.systems[sid].uuid != uuid_ for sid in project.system_ids):
        raise HttpError(400, "No such system on this project.", field="system_uuid")
    tag = DOCUMENT_TYPES[document_type]
    file = PrivateFile(
        data.next_id("file"),
        caller.org.id,
        project.id,
        f"{document_type.replace('_', ' ').title()} - {project.title}",
        file_format,
        48_000,
        stamp_now(),
        tag,
        FILE_TAGS[tag],
        temporary=query.get("temporary", "").lower() in {"1", "true"},
    )
    file.tag_ids = _tag_ids([t for t in query.get("file_tags", "").split(",") if t]) or [tag]
    _store_file(data, caller, file)
    return json_response(views_of(request).private_file(file), status=201)
