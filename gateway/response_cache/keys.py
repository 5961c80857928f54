"""What a stored response is found by: the request's digest (document, operation, canonical variables).

The key adds the schema version and the fingerprint of the credential used upstream
(``ResponseCache.scoped``), so different callers never share a response. A frontend repeats the same
few bodies byte for byte, so the digest of a small body is remembered by its bytes and the next
identical body goes to the cache without being parsed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from cachetools import LRUCache

from gateway.incremental import defers

__all__ = ["Known", "RememberedDigests", "document_hash", "request_digest"]


def request_digest(document_hash: str, operation_name: Any, variables: Any) -> str:
    """What identifies a request apart from its caller: document, operation and canonical variables."""
    canonical = orjson.dumps([document_hash, operation_name or "", variables], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:40]


def document_hash(payload: dict[str, Any]) -> str | None:
    """The document's SHA-256: of the query text, else a well-formed persisted-query hash; None: not cacheable.

    A request whose persisted-query hash is malformed or does not match its query is never served
    from the cache: ``PersistedDocuments.resolve`` answers it with its code. Nor is a document with
    ``@defer``/``@stream``: its answer streams in parts and is never stored.
    """
    extensions = payload.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    digest = None
    if isinstance(persisted, dict) and persisted.get("version") == 1:  # only a well-formed request may hit
        candidate = persisted.get("sha256Hash")
        if not isinstance(candidate, str) or len(candidate) != 64:
            return None
        digest = candidate.lower()
    elif persisted is not None:
        return None
    query = payload.get("query")
    if isinstance(query, str) and defers(query):
        return None  # an incremental answer streams and is never stored: no lookup, no waiting behind it
    if isinstance(query, str) and query:
        of_query = hashlib.sha256(query.encode()).hexdigest()
        if digest is not None and digest != of_query:
            return None
        digest = of_query
    return digest


@dataclass(frozen=True, slots=True)
class Known:
    digest: str  # ``request_digest`` of the body
    label: str  # its operation's metrics label


class RememberedDigests:
    """Request bodies seen before -> their request digest, so a repeated body is not parsed again.

    A frontend repeats the same few bodies byte for byte; parsing, hashing the document and
    canonicalising the variables cost more than the response-cache lookup itself. The digest is a
    function of the bytes alone, so a remembered one can never be wrong. Only small bodies are
    remembered, and only ``MAX_ENTRIES`` of them (``cachetools.LRUCache``, least recently used
    out): at most a few MiB.
    """

    MAX_ENTRIES = 512
    MAX_BODY_BYTES = 16 * 1024

    def __init__(self) -> None:
        self._known: LRUCache[bytes, Known] = LRUCache(self.MAX_ENTRIES)

    def get(self, raw: bytes) -> Known | None:
        try:  # not LRUCache.get: that is two Python calls more, on every cache hit
            return self._known[raw]
        except KeyError:
            return None

    def remember(self, raw: bytes, known: Known) -> None:
        if raw and len(raw) <= self.MAX_BODY_BYTES:
            self._known[raw] = known
