"""Cache scopes: a key names the upstream and a credential fingerprint, never the credential."""

from __future__ import annotations

import hashlib

from gateway.cache.scope import CacheScope, fingerprint

TOKEN = "bf832b17f53b1f48bf5dbe6560af6a6505e2b089"


def test_a_fingerprint_is_short_salted_and_one_per_secret() -> None:
    mark = fingerprint(TOKEN)
    assert len(mark) == 16 and int(mark, 16) >= 1
    assert mark == fingerprint(TOKEN) and mark != fingerprint(TOKEN[:-1] + "0")
    assert mark != hashlib.sha256(TOKEN.encode()).hexdigest()[:16]  # salted: not a plain hash of the token
    assert mark == hashlib.sha256(f"solar-gateway:{TOKEN}".encode()).hexdigest()[:16]


def test_a_scope_holds_the_fingerprint_not_the_credential() -> None:
    scope = CacheScope.of("opensolar", TOKEN)
    assert scope == CacheScope("opensolar", fingerprint(TOKEN))
    key = scope.key("/api/orgs/1001/projects/3001/")
    assert TOKEN not in key and key.startswith(f"sg:v1:opensolar:{fingerprint(TOKEN)}:")
    assert len(key.rsplit(":", 1)[1]) == 32


def test_keys_differ_by_upstream_credential_and_resource_only() -> None:
    resource = "/api/orgs/1001/projects/3001/"
    key = CacheScope.of("opensolar", TOKEN).key(resource)
    assert CacheScope.of("opensolar", TOKEN).key(resource) == key
    assert (
        len(
            {
                key,
                CacheScope.of("arcadia", TOKEN).key(resource),
                CacheScope.of("opensolar", "another-token").key(resource),
                CacheScope.of("opensolar", TOKEN).key(resource + "?page=2"),
            }
        )
        == 4
    )
