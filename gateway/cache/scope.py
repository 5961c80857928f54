"""Cache scopes: who a cached value belongs to, built from the credential actually used upstream.

A scope is a fingerprint of the credential (a truncated SHA-256, never the raw token), so one
tenant's cached reads can never be served to another, and rotating a credential starts a new scope.
There is no "anonymous" scope: a call without a credential is never cached.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

__all__ = ["CacheScope", "fingerprint"]


@functools.lru_cache(maxsize=4096)  # a credential is hashed once, not on every upstream read
def fingerprint(secret: str) -> str:
    return hashlib.sha256(f"solar-gateway:{secret}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CacheScope:
    upstream: str
    credential: str  # a fingerprint, never the credential itself

    @classmethod
    def of(cls, upstream: str, credential: str) -> CacheScope:
        return cls(upstream, fingerprint(credential))

    def key(self, resource: str) -> str:
        digest = hashlib.sha256(resource.encode()).hexdigest()[:32]
        return f"sg:v1:{self.upstream}:{self.credential}:{digest}"
