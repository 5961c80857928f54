"""The request body at the front door: which media types are read, and its size while it streams in.

Only ``application/json`` (or ``application/graphql-response+json``) is read as a GraphQL request
(``multipart/form-data`` is an upload, ``gateway/http/uploads.py``); anything else is 415. A body
over the limit is refused before it is all in: by its ``Content-Length``, else while it streams.
"""

from __future__ import annotations

from starlette.types import Receive

__all__ = ["JSON_MEDIA_TYPES", "media_of", "read_body"]

JSON_MEDIA_TYPES = frozenset({b"application/json", b"application/graphql-response+json"})


def media_of(content_type: bytes) -> bytes:
    """The media type of a ``Content-Type`` value, lower-case, without its parameters."""
    return content_type.split(b";", 1)[0].strip().lower()


async def read_body(receive: Receive, declared: bytes, limit: int) -> bytes | None:
    """The whole body, or None when it is (or is declared) longer than ``limit`` bytes."""
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        if not message.get("more_body") and not chunks:
            return chunk  # the usual case: the whole body in one message
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)
