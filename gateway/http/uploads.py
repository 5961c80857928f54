"""GraphQL multipart requests (file uploads) at the front door: bounded, one operation, allowed documents.

Strawberry parses the multipart body itself; before it does, the gate reads the body under
``GATEWAY_MAX_UPLOAD_BYTES`` (413 ``PAYLOAD_TOO_LARGE`` while it streams in), refuses a batch
(``BATCHING_DISABLED``) or a malformed ``operations`` field (``INVALID_GRAPHQL_REQUEST``), and passes
``operations`` through the persisted/trusted-documents check like any JSON request: uploads are no
way around the front door. The form is parsed once, here: Strawberry is handed the operation with its
files in place (the multipart spec's ``map``), as a JSON request is handed its payload. Only a form
whose ``map`` or ``operations`` Strawberry would refuse is replayed to it unchanged, so it answers as
it always has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.types import Message, Receive, Scope
from strawberry.file_uploads.utils import replace_placeholders_with_files

from gateway.http.persisted import PersistedDocuments, Rejection
from gateway.http.shape import shape

__all__ = ["MAX_UPLOAD_FILES", "Screened", "replay", "screen_upload"]

MAX_UPLOAD_FILES = 10
MAX_FORM_FIELDS = 20  # operations, map, and the file parts


async def _read(receive: Receive, declared: bytes, limit: int) -> bytes | None:
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes, original: Receive) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


@dataclass(frozen=True, slots=True)
class Screened:
    """An upload that passed: its operation with the files in place (``payload``), or None: replay ``body``.

    The caller closes ``form`` (its spooled files) once the operation has run.
    """

    body: bytes
    form: FormData
    payload: dict[str, Any] | None


def _with_files(operations: dict[str, Any], form: FormData) -> dict[str, Any] | None:
    """The operation with its files in place, as Strawberry would build it; None where Strawberry would refuse."""
    raw = form.get("map", "{}")
    try:
        files_map = orjson.loads(raw) if isinstance(raw, str) else None
        files = {name: value for name, value in form.items() if isinstance(value, UploadFile)}
        if not isinstance(files_map, dict) or shape(operations) is not None:
            return None
        return replace_placeholders_with_files(operations, files_map, files)
    except (orjson.JSONDecodeError, LookupError, ValueError, TypeError, AttributeError):
        return None


async def screen_upload(
    scope: Scope, receive: Receive, declared: bytes, limit: int, documents: PersistedDocuments
) -> Screened | Rejection:
    """The parsed upload to hand on, or why it is refused."""
    body = await _read(receive, declared, limit)
    if body is None:
        return Rejection(413, "PAYLOAD_TOO_LARGE", f"Uploads are limited to {limit} bytes (GATEWAY_MAX_UPLOAD_BYTES).")
    request = Request(scope, replay(body, receive))
    try:
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=MAX_FORM_FIELDS)
    except Exception:  # starlette raises MultiPartException / HTTPException on bad or oversized forms
        return Rejection(400, "INVALID_GRAPHQL_REQUEST", "The multipart body cannot be parsed.")
    screened = await _screen(form, documents)
    if isinstance(screened, Rejection):
        await form.close()
        return screened
    return Screened(body, form, _with_files(screened, form))


async def _screen(form: FormData, documents: PersistedDocuments) -> dict[str, Any] | Rejection:
    """The ``operations`` field, checked like a JSON request, or why it is refused."""
    try:
        raw = form.get("operations")
        operations = orjson.loads(raw) if isinstance(raw, str) else None
    except orjson.JSONDecodeError:
        operations = None
    if isinstance(operations, list):
        return Rejection(400, "BATCHING_DISABLED", "Batched operations are not accepted; send one per request.")
    if not isinstance(operations, dict):
        return Rejection(400, "INVALID_GRAPHQL_REQUEST", "The operations field must be a JSON object with a query.")
    resolved = await documents.resolve(operations)
    if isinstance(resolved, Rejection):
        return resolved
    if resolved.payload.get("query") != operations.get("query"):
        return Rejection(400, "INVALID_GRAPHQL_REQUEST", "Send the query text itself with an upload.")
    return operations
