"""The coalescer alone: one run per key in flight, a failed leader shares nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from gateway.http.coalesce import Coalescer, coalescing_key


async def test_requests_for_a_key_in_flight_share_its_answer() -> None:
    coalescer: Coalescer[str] = Coalescer()
    go = asyncio.Event()
    runs = 0

    async def run(release: Callable[[], None]) -> str:
        nonlocal runs
        runs += 1
        await go.wait()
        return f"answer {runs}"

    waiting = [asyncio.create_task(coalescer.once("k", run)) for _ in range(4)]
    await asyncio.sleep(0)
    go.set()
    assert await asyncio.gather(*waiting) == ["answer 1"] * 4
    assert (runs, coalescer.executions, coalescer.shared) == (1, 1, 3)
    assert await coalescer.once("k", run) == "answer 2"  # done: the next one runs again


async def test_no_key_always_runs() -> None:
    coalescer: Coalescer[int] = Coalescer()

    async def run(release: Callable[[], None]) -> int:
        await asyncio.sleep(0.01)
        return 1

    await asyncio.gather(*(coalescer.once(None, run) for _ in range(3)))
    assert coalescer.executions == 3 and coalescer.shared == 0


async def test_when_the_leader_fails_each_waiting_request_runs_itself() -> None:
    coalescer: Coalescer[str] = Coalescer()
    started = asyncio.Event()
    calls = 0

    async def run(release: Callable[[], None]) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            started.set()
            await asyncio.sleep(0.01)
            raise RuntimeError("leader failed")
        return "own answer"

    leader = asyncio.create_task(coalescer.once("k", run))
    await started.wait()
    followers = [asyncio.create_task(coalescer.once("k", run)) for _ in range(2)]
    with pytest.raises(RuntimeError):
        await leader
    assert await asyncio.gather(*followers) == ["own answer", "own answer"]
    assert calls == 3 and coalescer.shared == 0


def test_the_key_separates_callers_media_types_and_variables() -> None:
    base = coalescing_key("token-a", b"application/json", "{ a }", None, {"x": 1}, False)
    assert base == coalescing_key("token-a", b"application/json", "{ a }", "", {"x": 1}, False)
    assert base != coalescing_key("token-b", b"application/json", "{ a }", None, {"x": 1}, False)
    assert base != coalescing_key("token-a", b"application/graphql-response+json", "{ a }", None, {"x": 1}, False)
    assert base != coalescing_key("token-a", b"application/json", "{ a }", None, {"x": 2}, False)
    assert base != coalescing_key("token-a", b"application/json", "{ a }", None, {"x": 1}, True)


async def test_an_answer_sent_in_parts_releases_the_waiting_requests_at_once() -> None:
    coalescer: Coalescer[str] = Coalescer()
    finish = asyncio.Event()
    calls = 0

    async def run(release: Callable[[], None]) -> str | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            release()  # it streams: nothing to share
            await finish.wait()
            return None
        return "own answer"

    leader = asyncio.create_task(coalescer.once("k", run))
    await asyncio.sleep(0)
    follower = await asyncio.wait_for(coalescer.once("k", run), 1)  # not held until the leader's last part
    finish.set()
    assert (await leader, follower, calls) == (None, "own answer", 2)
