"""Design decoding at its edges: the memory of recent decodes, paths past a list's end, errors that travel light."""

from __future__ import annotations

import asyncio
import base64
import gc
import gzip
import random
import threading
import zlib
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from gateway.errors import DesignCorruptError, DesignTooLargeError
from gateway.upstream.opensolar import design_codec
from gateway.upstream.opensolar.design_codec import (
    INFLATE_CHUNK_BYTES,
    INLINE_HASH_CHARS,
    SINGLE_PASS_BYTES,
    DesignCodec,
    decode_design,
    json_at_path,
    json_for_response,
)


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


async def test_an_abandoned_decode_that_fails_is_not_reported_as_unhandled(monkeypatch: pytest.MonkeyPatch) -> None:
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    started, finish = threading.Event(), threading.Event()

    def failing_decode(encoded: str, max_bytes: int) -> Any:  # still running when its caller gives up
        started.set()
        finish.wait(30)
        raise DesignTooLargeError(f"The design decompresses to more than {max_bytes} bytes.")

    monkeypatch.setattr(design_codec, "_decode_off_loop", failing_decode)
    codec = DesignCodec(max_bytes=1024 * 1024, concurrency=1)
    caller = asyncio.create_task(codec.decode(design_of(1000)))
    assert await asyncio.to_thread(started.wait, 30)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    finish.set()
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


def encoded(document: Any) -> str:
    return base64.b64encode(gzip.compress(orjson.dumps(document))).decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda e: e[:8] + "!!!!" + e[8:],  # junk characters a lenient decoder would skip
        lambda e: e[:8] + "\n\n\n\n" + e[8:],
        lambda e: "QQ==" + e,  # data after padding
    ],
)
def test_base64_is_read_strictly(mangle: Any) -> None:
    design = encoded({"a": 1})
    assert decode_design(design, 1024).document == {"a": 1}
    with pytest.raises(DesignCorruptError):
        decode_design(mangle(design), 1024)


def test_only_the_gzip_container_is_accepted() -> None:
    raw = orjson.dumps({"a": 1})
    for other in (zlib.compress(raw), zlib.compress(raw, wbits=-15)):  # zlib-wrapped, raw deflate
        with pytest.raises(DesignCorruptError):
            decode_design(base64.b64encode(other).decode(), 1024)


def test_a_refused_design_names_its_cap() -> None:
    with pytest.raises(DesignTooLargeError) as caught:
        decode_design(encoded({"pad": "x" * 2000}), 1024)
    assert "more than 1024 bytes" in str(caught.value) and caught.value.extensions["maxBytes"] == 1024


def test_the_scene_is_read_with_the_document() -> None:
    grid = {"type": "OsModuleGrid", "children": [{"type": "OsModule"}, {"type": "OsModule"}]}
    decoded = decode_design(encoded({"object": {"type": "Scene", "children": [grid]}}), 1024 * 1024)
    assert decoded.scene.panel_count == 2


class CountingInflaters:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = zlib.decompressobj

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(design_codec, "zlib", SimpleNamespace(**{**vars(zlib), "decompressobj": counted}))


@pytest.mark.parametrize(("extra", "passes"), [(-1, 1), (0, 1), (1, 2)])
def test_a_design_up_to_the_single_pass_size_is_inflated_once_and_a_larger_one_twice(
    monkeypatch: pytest.MonkeyPatch, extra: int, passes: int
) -> None:
    size = SINGLE_PASS_BYTES + extra
    padding = size - len(orjson.dumps({"pad": ""}))
    document = {"pad": "x" * padding}
    inflaters = CountingInflaters(monkeypatch)
    decoded = decode_design(encoded(document), 64 * 1024 * 1024)
    assert decoded.decompressed_bytes == size and decoded.document == document
    assert inflaters.count == passes


def test_a_design_inflated_in_several_steps_is_joined_exactly() -> None:
    document = {"pad": "x" * (INFLATE_CHUNK_BYTES + 1000), "tail": "end"}  # two steps of output
    assert decode_design(encoded(document), 64 * 1024 * 1024).document == document
