"""Design decoding at its edges: the memory of recent decodes, paths past a list's end, errors that travel light."""

from __future__ import annotations

import asyncio
import base64
import gc
import gzip
import random
from typing import Any

import orjson
import pytest

from gateway.errors import DesignCorruptError
from gateway.upstream.opensolar.design_codec import INLINE_HASH_CHARS, DesignCodec, json_at_path, json_for_response


def design_of(size: int, tag: str = "a") -> str:
    """A design whose JSON is exactly ``size`` bytes once inflated (hex noise: it barely compresses)."""
    padding = size - len(orjson.dumps({"pad": "", "tag": tag}))
    raw = orjson.dumps({"pad": random.Random(tag).randbytes(padding).hex()[:padding], "tag": tag})
    assert len(raw) == size
    return base64.b64encode(gzip.compress(raw)).decode()


async def test_different_designs_never_share_a_remembered_decode() -> None:
    codec = DesignCodec(max_bytes=1024 * 1024)
    small = [design_of(100, tag) for tag in "ab"]
    large = [design_of(200_000, tag) for tag in "cd"]  # hashed off the event loop
    assert all(len(encoded) > INLINE_HASH_CHARS for encoded in large)
    for encoded, tag in zip([*small, *large], "abcd", strict=True):
        assert (await codec.decode(encoded)).document["tag"] == tag
    assert codec.decoded == 4
    assert (await codec.decode(large[0])).document["tag"] == "c" and codec.decoded == 4


async def test_a_design_of_a_quarter_of_the_memory_is_remembered_and_one_byte_more_is_not() -> None:
    codec = DesignCodec(max_bytes=1024 * 1024, memory_bytes=400)
    for size, decodes in ((100, 1), (101, 2)):
        encoded = design_of(size)
        await codec.decode(encoded)
        await codec.decode(encoded)
        assert codec.decoded == decodes + (1 if size == 101 else 0), size


async def test_a_full_memory_forgets_its_oldest_decode_first() -> None:
    codec = DesignCodec(max_bytes=1024 * 1024, memory_bytes=400)
    designs = [design_of(100, tag) for tag in "abcde"]
    for encoded in designs[:4]:
        await codec.decode(encoded)
    for encoded in designs[:4]:  # exactly full: all four are remembered
        await codec.decode(encoded)
    assert codec.decoded == 4
    await codec.decode(designs[4])  # one more: the least recently used ("a") goes
    assert codec.decoded == 5
    for encoded in designs[1:]:
        await codec.decode(encoded)
    assert codec.decoded == 5
    await codec.decode(designs[0])
    assert codec.decoded == 6


async def test_a_refused_design_travels_without_its_traceback_or_the_error_it_replaced() -> None:
    codec = DesignCodec(max_bytes=1024 * 1024)
    with pytest.raises(DesignCorruptError) as caught:
        await codec.decode(base64.b64encode(b"plain bytes, not gzip").decode())
    assert caught.value.__cause__ is None and caught.value.__context__ is None


async def test_an_abandoned_decode_that_fails_is_not_reported_as_unhandled() -> None:
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    codec = DesignCodec(max_bytes=1024 * 1024, concurrency=1)
    bomb = base64.b64encode(gzip.compress(b"[" * 4 * 1024 * 1024)).decode()  # valid gzip, invalid JSON
    caller = asyncio.create_task(codec.decode(bomb))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    async with asyncio.timeout(30):
        await codec._slots.acquire()  # the abandoned decode has finished (and failed)
    codec._slots.release()
    del caller
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(None)
    assert reported == []


DOC = {"systems": [{"id": 1}, {"id": 2}, {"id": 3}], "name": "abc", "tags": ["x", "X1"]}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("systems.2.id", 3),
        ("systems.3", None),  # exactly one past the end
        ("systems.-3.id", 1),
        ("systems.-4", None),
        ("/systems/2/id", 3),
        ("/systems/3", None),
        ("name.a", None),  # through a string: never indexed by a letter in it
        ("tags.x", None),  # a list is indexed by position, not searched by value
        ("tags.X1", None),
        ("tags.-X1", None),
    ],
)
def test_paths_past_the_end_or_through_scalars_find_nothing(path: str, expected: Any) -> None:
    assert json_at_path(DOC, path) == expected
    assert json_for_response(DOC, path) == expected
