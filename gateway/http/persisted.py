"""Persisted documents: Apollo's automatic persisted queries, and a trusted-documents mode.

APQ (``extensions.persistedQuery = {version: 1, sha256Hash}``): a hash alone runs the stored
document or answers ``PERSISTED_QUERY_NOT_FOUND`` (the client then sends hash and query once);
hash and query together are checked (``PERSISTED_QUERY_HASH_MISMATCH``) and, only once the
document has passed every limit and validation rule, stored in the cache backend, so every replica
sharing Redis knows them. Stored documents are bounded: by size, by registrations per credential
and in total per day, and by their TTL. When Redis fails, documents are kept in and served from a
small store in this process (a log line and the ``store_errors`` metric say so), never a 500.
In trusted-documents mode only the operations in ``schema/operations/`` run, by hash or by
identical text; anything else is ``PERSISTED_QUERY_NOT_ALLOWED``, and APQ registration is off.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from gateway.cache.store import CacheStore, MemoryStore
from gateway.http.inbound import Quota
from gateway.http.rejection import Rejection

__all__ = ["PersistedDocuments", "Rejection", "Resolved", "sha256_hex"]

logger = logging.getLogger("gateway.persisted")
APQ_TTL_S = 86400  # a client re-registers a forgotten document with one extra round trip
# Our largest operation is ~150 tokens (~2 KB); 2000 tokens of ordinary text fit in 16 KiB.
MAX_DOCUMENT_BYTES = 16 * 1024
LOCAL_STORE_BYTES = 4 * 1024 * 1024  # documents kept in this process while Redis is down
LOG_EVERY_S = 10.0
_PREFIX = "sg:v1:apq:"
TOTAL = "*"  # the identity the total quota counts every registration under


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Resolved:
    payload: dict[str, Any]  # with its ``query`` filled in
    register: str | None = None  # the hash to store the query under, once it has passed validation


class PersistedDocuments:
    def __init__(
        self,
        store: CacheStore,
        *,
        apq: bool,
        trusted: dict[str, str] | None,
        per_credential: Quota | None = None,
        total: Quota | None = None,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        self.store = store
        self.apq = apq
        self.trusted = trusted  # sha256 -> document, in trusted-documents mode
        self.per_credential = per_credential
        self.total = total
        self.max_document_bytes = max_document_bytes
        self.local = MemoryStore(LOCAL_STORE_BYTES, 10_000) if store.name != "memory" else None
        self.stats: Counter[str] = Counter()
        self._logged_at = -math.inf

    @staticmethod
    def requested_hash(payload: dict[str, Any]) -> str | Rejection | None:
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

    async def resolve(self, payload: dict[str, Any]) -> Resolved | Rejection:
        """The payload with its ``query`` filled in, or why it may not run."""
        digest = self.requested_hash(payload)
        if isinstance(digest, Rejection):
            return digest
        query = payload.get("query")
        if self.trusted is not None:
            return self._trusted(payload, digest, query)
        if digest is None:
            return Resolved(payload)
        if not self.apq:
            return Rejection(400, "PERSISTED_QUERY_NOT_SUPPORTED", "Persisted queries are turned off.")
        if isinstance(query, str) and query:
            if sha256_hex(query) != digest:
                return Rejection(400, "PERSISTED_QUERY_HASH_MISMATCH", "The hash does not match the query.")
            return Resolved(payload, register=digest)  # stored only after it passes limits and validation
        stored = await self._get(_PREFIX + digest)
        if stored is None:
            # Apollo clients look for this exact message and code, then resend with the query.
            return Rejection(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        return Resolved({**payload, "query": stored.decode()})

    async def register(self, digest: str, query: str, identity: str) -> bool:
        """Store a document that passed validation, within its caller's and the total quota."""
        if len(query.encode()) > self.max_document_bytes:
            self.stats["too_large"] += 1
            return False
        # the caller's own quota, then the one count shared by every caller
        for quota, spender in ((self.per_credential, identity), (self.total, TOTAL)):
            if quota is not None and await quota.spend(spender) is not None:
                self.stats["over_quota"] += 1
                return False
        await self._set(_PREFIX + digest, query.encode())
        self.stats["registered"] += 1
        return True

    async def _get(self, key: str) -> bytes | None:
        try:
            stored = await self.store.get(key)
        except Exception as exc:
            self._outage("read", exc)
            stored = None
        if stored is None and self.local is not None:
            stored = await self.local.get(key)  # registered here while the shared store was down
        return stored

    async def _set(self, key: str, value: bytes) -> None:
        try:
            await self.store.set(key, value, APQ_TTL_S, ())
        except Exception as exc:
            self._outage("write", exc)
            if self.local is not None:
                await self.local.set(key, value, APQ_TTL_S, ())

    def _outage(self, what: str, exc: Exception) -> None:
        self.stats["store_errors"] += 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY_S:
            self._logged_at = now
            logger.warning("persisted queries: %s failed (%s); using this process's store", what, exc)

    def _trusted(self, payload: dict[str, Any], digest: str | None, query: Any) -> Resolved | Rejection:
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
        return Resolved({**payload, "query": document})
