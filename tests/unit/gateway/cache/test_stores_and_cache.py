from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from gateway.cache import CachePolicy, CacheScope, StaleRead, UpstreamCache, stale_reads
from gateway.cache.decoded import DecodedEntries
from gateway.cache.memory import BoundedMemoryCache
from gateway.cache.store import MemoryStore
from gateway.cache.upstream import _Entry
from gateway.errors import NotFoundError, UpstreamRateLimited, UpstreamUnavailable
from gateway.response_cache.store import ResponseCache, etag_of

POLICY = CachePolicy("project", ttl_s=10)
A = CacheScope.of("opensolar", "Bearer token-a")
B = CacheScope.of("opensolar", "Bearer token-b")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Upstream:
    def __init__(self, *results: Any) -> None:
        self.results = list(results)
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        await asyncio.sleep(0.01)
        result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        if isinstance(result, BaseException):
            raise result
        return result


def no_tags(payload: Any) -> set[str]:
    return set()


async def test_memory_cache_is_bounded_by_bytes_and_entries_with_lru_eviction() -> None:
    cache = BoundedMemoryCache(max_bytes=300, max_entries=3)
    for key in "abc":
        await cache.set(key, b"x" * 90)
    await cache.get("a")  # a is now the most recently used
    await cache.set("d", b"x" * 90)
    assert await cache.get("b") is None and await cache.get("a") == b"x" * 90
    assert cache.size_bytes <= 300 and len(cache) <= 3 and cache.evictions == 1
    assert not await cache.set("huge", b"x" * 1000)  # larger than the whole cache: refused


async def test_memory_cache_expires_entries() -> None:
    clock = Clock()
    cache = BoundedMemoryCache(max_bytes=10_000, clock=clock)
    await cache.set("k", b"v", ttl=5)
    assert await cache.get("k") == b"v"
    clock.now += 6
    assert await cache.get("k") is None and cache.size_bytes == 0


async def test_tags_evict_every_tagged_entry_and_the_index_stays_bounded() -> None:
    store = MemoryStore(max_bytes=1_000_000, max_entries=5)
    await store.set("k1", b"1", 60, {"project:1", "list"})
    await store.set("k2", b"2", 60, {"project:2", "list"})
    assert await store.evict_tags({"project:1"}) == 1
    assert await store.get("k1") is None and await store.get("k2") == b"2"
    for n in range(MemoryStore.SWEEP_EVERY - 2):  # the last of these is the 1000th set: a sweep
        await store.set(f"f{n}", b".", 60, {f"tag:{n}"})
    assert set(store._tags) == {f"tag:{n}" for n in range(993, 998)}  # only the five live entries' tags


async def test_hits_misses_and_scopes() -> None:
    cache = UpstreamCache(MemoryStore(10**6), stale_s=60)
    upstream = Upstream({"id": 1})
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags) == {"id": 1}
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags) == {"id": 1}
    assert upstream.calls == 1 and cache.stats["hits"] == 1
    await cache.read(B, "/p/1", POLICY, upstream, no_tags)  # another credential never shares the entry
    assert upstream.calls == 2
    assert "token" not in A.key("/p/1") and A.key("/p/1") != B.key("/p/1")


async def test_errors_are_never_cached() -> None:
    cache = UpstreamCache(MemoryStore(10**6), stale_s=60)
    upstream = Upstream(NotFoundError("gone", upstream="opensolar", status=404), {"id": 1})
    with pytest.raises(NotFoundError):
        await cache.read(A, "/p/1", POLICY, upstream, no_tags)
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags) == {"id": 1}
    assert upstream.calls == 2


async def test_stale_if_error_within_the_window_only() -> None:
    clock = Clock()
    cache = UpstreamCache(MemoryStore(10**6), stale_s=60, clock=clock)
    await cache.read(A, "/p/1", POLICY, Upstream({"v": 1}), no_tags)
    clock.now += 30  # past the 10 s TTL, inside the 60 s stale window
    reads: list[StaleRead] = []
    token = stale_reads.set(reads)
    try:
        down = Upstream(UpstreamUnavailable("down", upstream="opensolar", status=503))
        assert await cache.read(A, "/p/1", POLICY, down, no_tags) == {"v": 1}
    finally:
        stale_reads.reset(token)
    assert reads == [StaleRead("opensolar", "/p/1", 30.0, "UPSTREAM_UNAVAILABLE")]
    not_found = Upstream(NotFoundError("gone", upstream="opensolar", status=404))
    with pytest.raises(NotFoundError):  # only throttling, outages and timeouts fall back to stale data
        await cache.read(A, "/p/1", POLICY, not_found, no_tags)
    clock.now += 100  # past the stale window too
    with pytest.raises(UpstreamRateLimited):
        await cache.read(A, "/p/1", POLICY, Upstream(UpstreamRateLimited("x", upstream="o", retry_after=1)), no_tags)


async def test_concurrent_identical_reads_share_one_call() -> None:
    cache = UpstreamCache(MemoryStore(10**6), stale_s=60)
    upstream = Upstream({"id": 1})
    results = await asyncio.gather(*(cache.read(A, "/p/1", POLICY, upstream, no_tags) for _ in range(20)))
    assert results == [{"id": 1}] * 20 and upstream.calls == 1 and cache.stats["coalesced"] == 19


async def test_a_cancelled_caller_does_not_cancel_the_shared_call() -> None:
    cache = UpstreamCache(MemoryStore(10**6), stale_s=60)
    upstream = Upstream({"id": 1})
    first = asyncio.ensure_future(cache.read(A, "/p/1", POLICY, upstream, no_tags))
    second = asyncio.ensure_future(cache.read(A, "/p/1", POLICY, upstream, no_tags))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == {"id": 1} and upstream.calls == 1


class BrokenStore(MemoryStore):
    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("redis is down")

    async def set(self, key: str, value: bytes, ttl_s: float, tags: Any) -> None:
        raise ConnectionError("redis is down")


async def test_a_failing_store_degrades_to_misses_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    cache = UpstreamCache(BrokenStore(10**6), stale_s=60)
    upstream = Upstream({"id": 1})
    with caplog.at_level(logging.WARNING, logger="gateway.cache"):
        for _ in range(5):
            assert await cache.read(A, "/p/1", POLICY, upstream, no_tags) == {"id": 1}
    assert upstream.calls == 5 and cache.stats["store_errors"] == 10
    assert len([r for r in caplog.records if "failed" in r.message]) == 1


class Decoder:
    """Counts decodes; what it returns is a fresh object each time, so reuse is visible by identity."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, payload: Any) -> tuple[Any, ...]:
        self.calls += 1
        return (payload,)


class CopyingStore(MemoryStore):
    """What Redis does: equal bytes, a new object on every read."""

    async def get(self, key: str) -> bytes | None:
        raw = await super().get(key)
        return bytes(bytearray(raw)) if raw is not None else None


@pytest.mark.parametrize("store", [MemoryStore(10**6), CopyingStore(10**6)], ids=["memory", "redis-like"])
async def test_decoded_reads_are_reused_while_the_stored_bytes_are_the_same(store: MemoryStore) -> None:
    clock = Clock()
    cache = UpstreamCache(store, stale_s=60, clock=clock)
    decode = Decoder()
    upstream = Upstream({"v": 1}, {"v": 2})
    fetched = await cache.read(A, "/p/1", POLICY, upstream, no_tags, decode)
    first = await cache.read(A, "/p/1", POLICY, upstream, no_tags, decode)
    again = await cache.read(A, "/p/1", POLICY, upstream, no_tags, decode)
    assert fetched == first == ({"v": 1},) and again is first and decode.calls == 2
    other = Decoder()  # another decoder never gets this one's value
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags, other) == ({"v": 1},) and other.calls == 1
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags) == {"v": 1}  # no decoder: plain JSON
    clock.now += 11  # expired: refetched and stored anew, so the old decoded value is never served
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags, decode) == ({"v": 2},)
    assert await cache.read(A, "/p/1", POLICY, upstream, no_tags, decode) == ({"v": 2},)
    assert upstream.calls == 2


async def test_decoded_entries_are_bounded_by_count_and_bytes() -> None:
    entries: DecodedEntries[_Entry] = DecodedEntries(max_entries=3, max_bytes=1600)
    decode = Decoder()
    raws = {key: key.encode() * 90 for key in "abcde"}
    for key in "abc":
        entries.put(key, raws[key], decode, _Entry(key, 0.0))
    assert entries.get("a", raws["a"], decode) is not None  # a is now the most recently used
    entries.put("d", raws["d"], decode, _Entry("d", 0.0))
    assert entries.get("b", raws["b"], decode) is None and entries.get("a", raws["a"], decode) is not None
    entries.put("e", b"e" * 1000, decode, _Entry("e", 0.0))  # over max_bytes / 16: not kept at all
    assert entries.get("e", b"e" * 1000, decode) is None
    assert entries.get("a", b"changed", decode) is None  # other bytes under the same key: not this value
    off: DecodedEntries[_Entry] = DecodedEntries(max_bytes=0)  # GATEWAY_DECODED_CACHE_MAX_BYTES=0
    off.put("a", raws["a"], decode, _Entry("a", 0.0))
    assert off.get("a", raws["a"], decode) is None


async def test_a_stored_response_is_split_once_per_stored_value() -> None:
    clock = Clock()
    responses = ResponseCache(CopyingStore(10**6), "v1", clock=clock)
    stored = await responses.put("k", b'{"data":1}', 10, ["opensolar:project:1"])
    first, again = await responses.get("k"), await responses.get("k")
    assert stored is not None and first is stored and again is stored  # equal bytes: the same split value
    assert first.body == b'{"data":1}' and first.etag == etag_of(b'{"data":1}')
    replaced = await responses.put("k", b'{"data":2}', 10, [])
    assert replaced is not None and (await responses.get("k")) is replaced
    clock.now += 11
    assert await responses.get("k") is None  # expiry still holds for a remembered value
