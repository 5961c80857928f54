"""A read, a response or an execution begun before an eviction never outlives it: not stored after
it (the fill race), never handed to a request that arrived after it (joining an older flight)."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.cache import CachePolicy, CacheScope, UpstreamCache
from gateway.cache.generations import Generations
from gateway.cache.store import MemoryStore
from gateway.http.coalesce import Coalescer
from gateway.response_cache.store import ResponseCache

POLICY = CachePolicy("project", ttl_s=60)
SCOPE = CacheScope.of("opensolar", "Bearer token-a")
TAG = "opensolar:1:project:7"


class Upstream:
    """The upstream's current value; each call sees the value at its start and answers when released."""

    def __init__(self) -> None:
        self.value = "old"
        self.calls = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self) -> Any:
        self.calls += 1
        seen = self.value
        self.started.set()
        await self.release.wait()
        return seen


def tagged(payload: Any) -> set[str]:
    return {TAG}


def new_cache() -> UpstreamCache:
    return UpstreamCache(MemoryStore(max_bytes=1 << 20), stale_s=30)


async def test_a_read_that_began_before_an_eviction_is_not_stored_after_it() -> None:
    cache, upstream = new_cache(), Upstream()
    first = asyncio.create_task(cache.read(SCOPE, "p7", POLICY, upstream, tagged))
    await upstream.started.wait()
    upstream.value = "new"  # the change upstream, then its webhook, while the read is on the wire
    await cache.evict([TAG])
    upstream.release.set()
    assert await first == "old"  # its caller asked before the change was known
    assert cache.stats["raced"] == 1 and cache.stats["stores"] == 0
    assert await cache.read(SCOPE, "p7", POLICY, upstream, tagged) == "new"  # not the old value for 60 s
    assert upstream.calls == 2


async def test_an_eviction_of_other_tags_does_not_stop_a_store() -> None:
    cache, upstream = new_cache(), Upstream()
    first = asyncio.create_task(cache.read(SCOPE, "p7", POLICY, upstream, tagged))
    await upstream.started.wait()
    await cache.evict(["opensolar:1:project:8"])
    upstream.release.set()
    await first
    assert cache.stats["stores"] == 1 and cache.stats["raced"] == 0
    assert await cache.read(SCOPE, "p7", POLICY, upstream, tagged) == "old" and upstream.calls == 1


async def test_a_read_after_an_eviction_never_joins_a_read_begun_before_it() -> None:
    cache, upstream = new_cache(), Upstream()
    before = asyncio.create_task(cache.read(SCOPE, "p7", POLICY, upstream, tagged))
    await upstream.started.wait()
    upstream.value = "new"
    await cache.evict([TAG])
    after = asyncio.create_task(cache.read(SCOPE, "p7", POLICY, upstream, tagged))
    await asyncio.sleep(0)
    upstream.release.set()
    assert (await before, await after) == ("old", "new")
    assert upstream.calls == 2 and cache.stats["coalesced"] == 0
    assert await cache.read(SCOPE, "p7", POLICY, upstream, tagged) == "new"  # the later read was stored


async def test_reads_with_no_eviction_between_them_still_share_one_call() -> None:
    cache, upstream = new_cache(), Upstream()
    reads = [asyncio.create_task(cache.read(SCOPE, "p7", POLICY, upstream, tagged)) for _ in range(3)]
    await upstream.started.wait()
    upstream.release.set()
    assert await asyncio.gather(*reads) == ["old"] * 3 and upstream.calls == 1


async def test_a_response_whose_execution_began_before_an_eviction_of_its_tags_is_not_stored() -> None:
    store, generations = MemoryStore(max_bytes=1 << 20), Generations()
    responses = ResponseCache(store, "v1", generations=generations)
    started = generations.now
    generations.bump([TAG])
    assert await responses.put("k", b'{"data": 1}', 60, {TAG}, started) is None
    assert responses.stats["raced"] == 1 and await responses.get("k") is None
    assert await responses.put("k", b'{"data": 1}', 60, {"opensolar:1:project:8"}, started) is not None
    assert await responses.put("k2", b'{"data": 2}', 60, {TAG}, generations.now) is not None


def test_generations_forget_the_oldest_tags_and_count_older_fills_as_raced() -> None:
    generations = Generations(max_tags=2)
    start = generations.now
    generations.bump(["a"])
    middle = generations.now
    generations.bump(["b"])
    assert generations.raced(start, ["a"]) and not generations.raced(middle, ["a"])
    generations.bump(["c"])  # "a" is forgotten: a fill begun before it was evicted cannot tell
    assert generations.raced(start, ["z"]) and not generations.raced(middle, ["z"])
    assert not generations.raced(generations.now, ["a", "b", "c"])


async def test_an_identical_request_after_an_eviction_executes_instead_of_waiting_for_the_older_one() -> None:
    coalescer: Coalescer[str] = Coalescer()
    release = asyncio.Event()
    value = ["old"]

    async def run(done: Any) -> str:
        seen = value[0]
        await release.wait()
        return seen

    before = asyncio.create_task(coalescer.once("k", run, 0))
    same = asyncio.create_task(coalescer.once("k", run, 0))
    await asyncio.sleep(0)
    value[0] = "new"  # changed and evicted: generation 1
    after = asyncio.create_task(coalescer.once("k", run, 1))
    later = asyncio.create_task(coalescer.once("k", run, 1))
    await asyncio.sleep(0)
    release.set()
    assert list(await asyncio.gather(before, same, after, later)) == ["old", "old", "new", "new"]
    assert coalescer.executions == 2 and coalescer.shared == 2
