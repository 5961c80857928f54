"""The response cache on its own: keys, expiry, stored representations, and a store that fails."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from gateway.cache.scope import fingerprint
from gateway.cache.store import MemoryStore
from gateway.compression import Negotiated
from gateway.response_cache.keys import request_digest
from gateway.response_cache.store import MIN_TTL_S, CachedResponse, ResponseCache, etag_of
from tests.clock import FakeClock

BODY = b'{"data":{"org":{"name":"Sunrise Solar Co"}}}'
BIG = b'{"data":{"text":"' + b"sunny " * 2000 + b'"}}'


def cache(clock: FakeClock | None = None, version: str = "v1") -> ResponseCache:
    return ResponseCache(MemoryStore(1 << 20), version, clock or FakeClock())


def test_a_key_names_the_schema_the_credential_and_the_request() -> None:
    base = cache().key("token-a", "doc", "Op", {"a": 1, "b": 2})
    assert "token-a" not in base and fingerprint("token-a") in base
    assert cache().key("token-a", "doc", "Op", {"b": 2, "a": 1}) == base  # variables are canonical
    assert cache().key("token-a", "doc", None, None) == cache().key("token-a", "doc", "", None)
    others = {
        cache().key("token-b", "doc", "Op", {"a": 1, "b": 2}),
        cache().key("token-a", "doc2", "Op", {"a": 1, "b": 2}),
        cache().key("token-a", "doc", "Other", {"a": 1, "b": 2}),
        cache().key("token-a", "doc", "Op", {"a": 1, "b": 3}),
        cache(version="v2").key("token-a", "doc", "Op", {"a": 1, "b": 2}),
    }
    assert base not in others and len(others) == 5


@pytest.mark.parametrize("name", ["Op", "XXXX", "None", "null", "0"])
def test_no_operation_name_never_shares_a_key_with_a_named_operation(name: str) -> None:
    # a nameless request for a two-operation document is an error, never a named operation's cached answer
    assert request_digest("doc", None, None) != request_digest("doc", name, None)


def test_request_digest_and_etag_are_stable_and_distinct() -> None:
    assert request_digest("d", "Op", {"x": [1, 2]}) == request_digest("d", "Op", {"x": [1, 2]})
    assert len(request_digest("d", "Op", None)) == 40
    assert request_digest("d", "Op", {"x": [1, 2]}) != request_digest("d", "Op", {"x": [2, 1]})
    assert etag_of(BODY) == etag_of(bytes(BODY)) and etag_of(BODY) != etag_of(BODY + b" ")
    assert etag_of(BODY).startswith('"') and etag_of(BODY).endswith('"') and len(etag_of(BODY)) == 34


def test_max_age_counts_down_and_stops_at_zero() -> None:
    cached = CachedResponse.of('"e"', BODY, expires_at=100.0)
    assert cached.max_age(40.0) == 60
    assert cached.max_age(99.5) == 0
    assert cached.max_age(130.0) == 0


def test_the_identity_representation_has_exact_headers() -> None:
    cached = CachedResponse.of('"e"', BODY, 100.0)
    headers, body = cached.representation(Negotiated("application/json", "gzip"))
    assert body == BODY
    assert dict(headers) == {
        b"content-type": b"application/json",
        b"etag": b'"e"',
        b"vary": b"Accept, Authorization, X-API-Key",
        b"content-length": str(len(BODY)).encode(),
    }
    again = cached.representation(Negotiated("application/json", "gzip"))
    assert again == (headers, body)
    assert cached.representation(Negotiated("application/json", "gzip"))[0] is again[0]  # built once, then reused
    assert dict(cached.headers) == {
        b"content-type": b"application/json",
        b"etag": b'"e"',
        b"content-length": str(len(BODY)).encode(),
    }


def test_a_stored_coding_is_served_as_stored() -> None:
    cached = CachedResponse.of('"e"', BODY, 100.0, {"gzip": b"GZ", "br": b"BROTLI"})
    headers, body = cached.representation(Negotiated("application/graphql-response+json", "br"))
    assert body == b"BROTLI"
    assert dict(headers) == {
        b"content-type": b"application/graphql-response+json",
        b"etag": b'"e"',
        b"vary": b"Accept, Accept-Encoding, Authorization, X-API-Key",
        b"content-encoding": b"br",
        b"content-length": b"6",
    }
    plain_headers, plain = cached.representation(Negotiated("application/json", None))
    assert plain == BODY and b"content-encoding" not in dict(plain_headers)


async def test_put_then_get_until_it_expires() -> None:
    clock = FakeClock()
    responses = cache(clock)
    stored = await responses.put("k", BODY, 10.0, ["project:1"])
    assert stored is not None and stored.expires_at == clock.now + 10.0
    clock.advance(9.0)
    hit = await responses.get("k")
    assert hit is not None and hit.body == BODY and hit.etag == etag_of(BODY)
    clock.advance(1.0)  # exactly at expiry: gone
    assert await responses.get("k") is None
    assert await responses.get("never-stored") is None
    assert responses.stats == {"stores": 1, "hits": 1, "misses": 2}


async def test_too_short_a_ttl_is_not_worth_a_write() -> None:
    responses = cache()
    assert await responses.put("short", BODY, MIN_TTL_S - 0.01, []) is None
    assert await responses.put("long", BODY, MIN_TTL_S, []) is not None
    assert await responses.get("short") is None and await responses.get("long") is not None
    assert responses.stats["stores"] == 1


async def test_stored_codings_survive_the_store_round_trip() -> None:
    writer, reader = cache(), None
    stored = await writer.put("k", BIG, 60.0, [])
    assert stored is not None and stored.encoded  # big enough to be worth compressing
    reader = ResponseCache(writer.store, "v1", FakeClock())  # another process: nothing remembered
    read = await reader.get("k")
    assert read is not None
    assert (read.etag, read.body, read.encoded, read.expires_at) == (
        stored.etag,
        BIG,
        stored.encoded,
        stored.expires_at,
    )


class BrokenStore(MemoryStore):
    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("down")

    async def set(self, key: str, value: bytes, ttl_s: float, tags: Iterable[str]) -> None:
        raise ConnectionError("down")


async def test_a_failing_store_is_a_miss_and_a_skipped_write() -> None:
    responses = ResponseCache(BrokenStore(1 << 20), "v1", FakeClock())
    assert await responses.put("k", BODY, 60.0, []) is None
    assert await responses.get("k") is None
    assert responses.stats == {"errors": 2}


async def test_every_failed_write_and_read_is_counted() -> None:
    responses = ResponseCache(BrokenStore(1 << 20), "v1", FakeClock())
    assert await responses.get("k") is None
    for _ in range(3):
        assert await responses.put("k", BODY, 60.0, []) is None
    assert responses.stats == {"errors": 4}  # gateway_response_cache_events{event="errors"}


@pytest.mark.parametrize("ttl", [1.0, 30.0])
async def test_expiry_is_stored_with_the_entry(ttl: float) -> None:
    clock = FakeClock(5_000.0)
    stored = await cache(clock).put("k", BODY, ttl, [])
    assert stored is not None and stored.max_age(clock.now) == int(ttl)
