from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import json
import random
import threading
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.errors import DesignCorruptError, DesignError, DesignTooLargeError
from gateway.upstream.opensolar import design_codec as design
from gateway.upstream.opensolar.design_codec import (
    INFLATE_CHUNK_BYTES,
    SINGLE_PASS_BYTES,
    DesignCodec,
    decode_design,
    json_at_path,
)
from gateway.upstream.opensolar.scene import MAX_SCENE_DEPTH, SceneGroup, SceneInverter, summarize

MiB = 1024 * 1024


def encode(document: Any) -> str:
    return base64.b64encode(gzip.compress(json.dumps(document).encode())).decode()


def test_decodes_base64_gzip_json() -> None:
    decoded = decode_design(encode({"object": {"type": "Scene"}, "systems": []}), MiB)
    assert decoded.document == {"object": {"type": "Scene"}, "systems": []}
    assert decoded.decompressed_bytes == len(json.dumps(decoded.document))


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("not base64!!", "base64"),
        ("abc", "base64"),
        (base64.b64encode(b"plain bytes, not gzip").decode(), "gzip"),
        (base64.b64encode(gzip.compress(b'{"a": 1}')[:-12]).decode(), "truncated"),
        (base64.b64encode(gzip.compress(b"{not json")).decode(), "JSON"),
        (base64.b64encode(gzip.compress(b"[1, 2]")).decode(), "not an object"),
        ("", "base64"),
    ],
)
def test_corrupt_designs_raise_design_corrupt(encoded: str, message: str) -> None:
    with pytest.raises(DesignCorruptError, match=message):
        decode_design(encoded, MiB)


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory() -> None:
    bomb = base64.b64encode(gzip.compress(b"0" * (256 * MiB), compresslevel=9)).decode()
    assert len(bomb) < 2 * MiB  # a quarter GiB that fits in a small response
    tracemalloc.start()
    try:
        with pytest.raises(DesignTooLargeError) as caught:
            decode_design(bomb, 4 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.extensions == {"code": "DESIGN_TOO_LARGE", "maxBytes": 4 * MiB}
    assert peak < 16 * MiB  # never inflated past the cap (plus one slice)


def test_a_design_exactly_at_the_cap_decodes() -> None:
    document = {"pad": "x" * 1000}
    size = len(json.dumps(document))
    assert decode_design(encode(document), size).decompressed_bytes == size
    with pytest.raises(DesignTooLargeError):
        decode_design(encode(document), size - 1)


async def test_codec_counts_decodes_and_never_decodes_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threaded: list[int] = []
    real_to_thread = asyncio.to_thread

    async def spy(func: Any, *args: Any) -> Any:
        if func is design._decode_off_loop:
            threaded.append(len(args[0]))
        return await real_to_thread(func, *args)

    monkeypatch.setattr("gateway.upstream.opensolar.design_codec.asyncio.to_thread", spy)
    codec = DesignCodec(max_bytes=64 * MiB)
    small = encode({"a": 1})
    big = encode({"blob": base64.b64encode(random.Random(1).randbytes(600_000)).decode()})
    assert (await codec.decode(small)).document == {"a": 1}
    assert "blob" in (await codec.decode(big)).document
    assert (await codec.decode(small)).document == {"a": 1}  # remembered: no second decode
    assert codec.decoded == 2
    assert threaded == [len(small), len(big)]  # however small, the decode left the event loop


async def test_decodes_run_within_their_slots_and_an_abandoned_one_keeps_its_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = threading.Event()
    real_decode, real_to_thread = design.decode_design, asyncio.to_thread
    submitted: list[str] = []

    def blocked(encoded: str, max_bytes: int) -> Any:
        gate.wait(10)
        return real_decode(encoded, max_bytes)

    def spy(func: Any, *args: Any) -> Any:
        if func is design._decode_off_loop:
            submitted.append(args[0])
        return real_to_thread(func, *args)

    monkeypatch.setattr(design, "decode_design", blocked)
    monkeypatch.setattr("gateway.upstream.opensolar.design_codec.asyncio.to_thread", spy)
    codec = DesignCodec(max_bytes=MiB, concurrency=2)
    tasks = [asyncio.ensure_future(codec.decode(encode({"n": n}))) for n in range(6)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(submitted) == codec.concurrency  # the rest wait for a slot
    tasks[0].cancel()  # the caller gives up; its thread still runs and still holds its slot
    for _ in range(20):
        await asyncio.sleep(0)
    assert tasks[0].cancelled()
    assert len(submitted) == codec.concurrency
    gate.set()
    results = await asyncio.gather(*tasks[1:])
    assert [r.document for r in results] == [{"n": n} for n in range(1, 6)]
    assert len(submitted) == 6


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_compressed_bytes_is_the_gzip_size_whatever_the_padding(padding: int) -> None:
    for n in range(200):
        gz = gzip.compress(json.dumps({"n": "x" * n}).encode(), mtime=0)
        if (-len(gz)) % 3 == padding:
            break
    encoded = base64.b64encode(gz).decode()
    assert encoded.count("=") == padding
    assert decode_design(encoded, MiB).compressed_bytes == len(gz)


def test_a_design_past_the_single_pass_decodes_whole() -> None:
    document = {"pad": "x" * (SINGLE_PASS_BYTES + 3 * MiB), "n": [1, 2]}
    decoded = decode_design(encode(document), 64 * MiB)
    assert decoded.document == document
    assert decoded.decompressed_bytes == len(json.dumps(document))


@pytest.mark.parametrize("forged_size", [False, True])
def test_a_bomb_past_the_default_cap_holds_a_few_mib_at_most(forged_size: bool) -> None:
    gz = gzip.compress(b"0" * (80 * MiB), compresslevel=9)
    if forged_size:  # the trailer claims a small size: nothing may trust it
        gz = gz[:-4] + (1000).to_bytes(4, "little")
    bomb = base64.b64encode(gz).decode()
    tracemalloc.start()
    try:
        with pytest.raises(DesignTooLargeError):
            decode_design(bomb, 64 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # what is kept, plus one step of output as zlib builds it: far below the 64 MiB the cap would allow
    assert peak < SINGLE_PASS_BYTES + 2 * INFLATE_CHUNK_BYTES + MiB


def test_one_core_is_left_to_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    for cores, slots in ((None, 1), (1, 1), (2, 1), (3, 2), (64, 2)):
        monkeypatch.setattr("gateway.upstream.opensolar.design_codec.os.cpu_count", lambda cores=cores: cores)
        assert DesignCodec(max_bytes=MiB).concurrency == slots


def test_integers_past_64_bits_read_as_floats_and_nan_is_corrupt() -> None:
    assert decode_design(encode({"n": 2**70}), MiB).document == {"n": float(2**70)}
    with pytest.raises(DesignCorruptError, match="JSON"):
        decode_design(encode({"n": float("nan")}), MiB)


def test_json_at_path_by_dots_and_pointer() -> None:
    doc = {"systems": [{"uuid": "A", "pricing": {"tax": 1}}], "a/b": {"~": 2}}
    assert json_at_path(doc, "systems.0.uuid") == "A"
    assert json_at_path(doc, "/systems/0/pricing") == {"tax": 1}
    assert json_at_path(doc, "systems.-1.uuid") == "A"
    assert json_at_path(doc, "/a~1b/~0") == 2
    assert json_at_path(doc, None) is doc
    assert json_at_path(doc, "systems.5.uuid") is None
    assert json_at_path(doc, "systems.x") is None


json_values = st.recursive(
    # orjson keeps integers exact within 64 bits (signed or unsigned); past that they read as floats
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
@settings(max_examples=75, deadline=None)
def test_any_json_object_round_trips(document: dict[str, Any]) -> None:
    assert decode_design(encode(document), MiB).document == document


@given(st.text(max_size=200))
@settings(max_examples=150, deadline=None)
def test_arbitrary_strings_only_ever_raise_design_errors(garbage: str) -> None:
    with contextlib.suppress(DesignError):
        decode_design(garbage, 64 * 1024)


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_arbitrary_bytes_only_ever_raise_design_errors(garbage: bytes) -> None:
    with contextlib.suppress(DesignError):
        decode_design(base64.b64encode(garbage).decode(), 64 * 1024)


def test_the_scene_summary_reads_odd_values_as_none() -> None:
    grid = {
        "type": "OsModuleGrid",
        "uuid": {"a": 1},
        "userData": {"azimuth": "south", "slope": 20},
        "children": [{"type": "OsModule"}, {"type": "OsModule", "children": [{"type": "OsModule"}]}, 5, None],
    }
    inverter = {"code": {"a": 1}, "manufacturer_name": 5, "quantity": True, "max_power_rating": 2}
    system = {
        "type": "OsSystem",
        "uuid": ["A"],
        "userData": {"kwStc": "5", "inverters": [inverter], "output": {"monthly": [1, "2"], "annual": 9}},
        "children": [grid],
    }
    document = {
        "object": {"type": "Scene", "userData": {"sceneOrigin4326": ["x", 1]}, "children": [system, "junk"]},
        "systems": [{"uuid": ["A"], "payment_options": "x"}, "junk"],
    }
    summary = summarize(document)
    assert summary.origin is None
    assert summary.panel_count == 3
    (read,) = summary.systems
    assert (read.uuid, read.kw_stc, read.annual_output_kwh, read.monthly_output_kwh) == (None, None, 9.0, None)
    assert read.finance == {}
    assert read.inverters == [SceneInverter(None, None, None, 2.0)]
    assert read.ac_watts is None
    assert read.groups == [SceneGroup(None, None, 20.0, 3)]
    assert read.panel_count == 3


def test_the_scene_summary_stops_at_its_depth_bound() -> None:
    node: dict[str, Any] = {"type": "OsModule"}
    for _ in range(MAX_SCENE_DEPTH):
        node = {"type": "Group", "children": [node, {"type": "OsModule"}]}
    summary = summarize({"object": node})
    assert summary.panel_count == MAX_SCENE_DEPTH + 1  # the deepest panels sit exactly at the bound
    deeper = summarize({"object": {"type": "Group", "children": [node]}})
    assert deeper.panel_count == MAX_SCENE_DEPTH - 1  # one level more: the two deepest are not read
