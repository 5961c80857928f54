"""Reading request headers straight from an ASGI scope, without building a mapping of all.

The edge's layers (request id, CORS, compression, the front door) read their headers from one
``EdgeHeaders``: ``edge_headers`` reads them in one pass when the first layer asks and keeps them
in the scope, so a response-cache hit scans its header list once, not once per layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.types import Scope

__all__ = ["MAX_HEADER_BYTES", "EdgeHeaders", "edge_headers"]

# nginx's large_client_header_buffers and Node's --max-http-header-size are 8 KB (Apollo Router
# allows 16 KB for the whole list): an OpenSolar token is ~40 bytes, so 8 KB per header is generous.
MAX_HEADER_BYTES = 8 * 1024


@dataclass(slots=True)
class EdgeHeaders:
    """The request headers the edge reads: the first value of each (``b""`` where absent), and the
    longest header (name and value together), which the front door bounds."""

    request_id: bytes = b""
    origin: bytes | None = None  # None: no Origin header (a request that is not a cross-origin browser request)
    accept: bytes = b""
    accept_encoding: bytes = b""
    content_type: bytes = b""
    content_length: bytes = b""
    if_none_match: bytes = b""
    authorization: bytes = b""
    api_key: bytes = b""
    longest: int = 0
    longest_name: bytes = b""

    def oversized(self, limit: int) -> str | None:
        """The name of the longest header if it is longer than ``limit`` bytes (name and value together)."""
        return self.longest_name.decode("latin-1")[:64] if self.longest > limit else None


_SCOPE_KEY = "gateway.edge_headers"
# each header's position among EdgeHeaders' fields
_POSITIONS = {
    name: index
    for index, name in enumerate(
        (
            b"x-request-id",
            b"origin",
            b"accept",
            b"accept-encoding",
            b"content-type",
            b"content-length",
            b"if-none-match",
            b"authorization",
            b"x-api-key",
        )
    )
}


def edge_headers(scope: Scope) -> EdgeHeaders:
    """This request's ``EdgeHeaders``: read in one pass the first time a layer asks, then kept in the scope."""
    known: EdgeHeaders | None = scope.get(_SCOPE_KEY)
    if known is None:
        known = scope[_SCOPE_KEY] = _read(scope.get("headers", ()))
    return known


def _read(headers: list[tuple[bytes, bytes]]) -> EdgeHeaders:
    values: list[Any] = [b"", None, b"", b"", b"", b"", b"", b"", b""]
    longest, longest_name = 0, b""
    positions = _POSITIONS
    for name, value in headers:
        size = len(name) + len(value)
        if size > longest:
            longest, longest_name = size, name
        index = positions.get(name.lower())
        if index is not None and not values[index]:
            values[index] = value
    request_id, origin, accept, accept_encoding, content_type, content_length, if_none_match, authorization, api_key = (
        values
    )
    return EdgeHeaders(
        request_id,
        origin,
        accept,
        accept_encoding,
        content_type,
        content_length,
        if_none_match,
        authorization,
        api_key,
        longest,
        bytes(longest_name),
    )
