"""Persisted documents: Apollo's automatic persisted queries, and a trusted-documents mode.

APQ (``extensions.persistedQuery = {version: 1, sha256Hash}``): a hash alone runs the stored
document or answers ``PERSISTED_QUERY_NOT_FOUND`` (the client then sends hash and query once);
hash and query together are checked (``PERSISTED_QUERY_HASH_MISMATCH``) and stored in the cache
backend, so every replica sharing Redis knows them. In trusted-documents mode only the operations
in ``schema/operations/`` run, by hash or by identical text; anything else is
``PERSISTED_QUERY_NOT_ALLOWED``, and APQ registration is off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from gateway.cache.store import CacheStore

__all__ = ["PersistedDocuments", "Rejection", "sha256_hex"]

APQ_TTL_S = 7 * 86400
_PREFIX = "sg:v1:apq:"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Rejection:
    status: int
    code: str
    message: str

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


class PersistedDocuments:
    def __init__(self, store: CacheStore, *, apq: bool, trusted: dict[str, str] | None) -> None:
        self.store = store
        self.apq = apq
        self.trusted = trusted  # sha256 -> document, in trusted-documents mode

    @staticmethod
    def _requested_hash(payload: dict[str, Any]) -> str | Rejection | None:
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            return None
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return Rejection(
                400, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED", "Only persistedQuery version 1 is supported."
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            return Rejection(400, "PERSISTED_QUERY_INVALID", "persistedQuery.sha256Hash must be a sha256 hex digest.")
        return digest.lower()

    async def resolve(self, payload: dict[str, Any]) -> dict[str, Any] | Rejection:
        """The payload with its ``query`` filled in, or why it may not run."""
        digest = self._requested_hash(payload)
        if isinstance(digest, Rejection):
            return digest
        query = payload.get("query")
        if self.trusted is not None:
            return self._trusted(payload, digest, query)
        if digest is None:
            return payload
        if not self.apq:
            return Rejection(400, "PERSISTED_QUERY_NOT_SUPPORTED", "Persisted queries are turned off.")
        if isinstance(query, str) and query:
            if sha256_hex(query) != digest:
                return Rejection(400, "PERSISTED_QUERY_HASH_MISMATCH", "The hash does not match the query.")
            await self.store.set(_PREFIX + digest, query.encode(), APQ_TTL_S, ())
            return payload
        stored = await self.store.get(_PREFIX + digest)
        if stored is None:
            # Apollo clients look for this exact message and code, then resend with the query.
            return Rejection(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        return {**payload, "query": stored.decode()}

    def _trusted(self, payload: dict[str, Any], digest: str | None, query: Any) -> dict[str, Any] | Rejection:
        assert self.trusted is not None
        if digest is None and isinstance(query, str):
            digest = sha256_hex(query)
        document = self.trusted.get(digest or "")
        if document is None or (isinstance(query, str) and query and query != document):
            return Rejection(
                400,
                "PERSISTED_QUERY_NOT_ALLOWED",
                "Only the gateway's trusted operations may run here (schema/operations/).",
            )
        return {**payload, "query": document}
