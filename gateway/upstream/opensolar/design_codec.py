"""Design data: base64 -> bounded gunzip -> JSON, and a typed reading of the scene graph.

Decoding never runs on the event loop: ``DesignCodec`` hands every decode to a worker thread (zlib
releases the GIL while it inflates), at most ``concurrency`` at a time, so a flood of designs
queues instead of multiplying memory. Inflating is bounded while it streams: output is kept only up
to ``SINGLE_PASS_BYTES``; a design that inflates further is counted to the end without being kept,
refused with ``DesignTooLargeError`` the moment it passes the cap, and inflated a second time only
when it fits. So a gzip bomb costs a few MiB of memory however far it would inflate, and nothing it
allocated outlives the decode: errors leave the worker without their traceback (whose frames held the
buffers). Invalid base64, gzip or JSON raises ``DesignCorruptError``. JSON is parsed with orjson
(strict RFC 8259: no NaN, nesting up to 1024), and the scene summary is read in the same worker.

``DesignCodec`` counts decodes so tests can prove that a query which does not select ``design``
decodes nothing, and one that selects it twice decodes once; it also remembers recent decodes by
content, so repeated requests do not decode the same design again.
"""

from __future__ import annotations

import asyncio
import binascii
import hashlib
import os
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from cachetools import LRUCache

from gateway.errors import DesignCorruptError, DesignError, DesignTooLargeError
from gateway.upstream.opensolar.scene import SceneSummary, summarize

__all__ = ["DesignCodec", "DesignDocument", "decode_design", "json_at_path", "json_for_response"]

# Decodes at a time: one core is left to the event loop (zlib inflates off the GIL, so each decode
# takes a core), and never more than two, which would only add memory.
MAX_DECODE_CONCURRENCY = 2
# Output kept while inflating; past it the rest is only counted (then inflated again if it fits the cap).
SINGLE_PASS_BYTES = 8 * 1024 * 1024
INFLATE_CHUNK_BYTES = 4 * 1024 * 1024  # larger steps: fewer GIL hand-overs with the event loop
GZIP_SLICE_BYTES = 64 * 1024  # compressed input per step, so the unconsumed tail zlib copies stays small
# orjson writes JSON up to 255 levels deep; a design sub-tree sits under at most this many levels of
# the response (the query depth limit is 12, and each list adds one).
RESPONSE_LEVELS_ABOVE = 32
# Hashing (for the memory of recent decodes) moves to the worker thread above this many characters.
INLINE_HASH_CHARS = 64 * 1024


def _base64(encoded: str) -> bytes:
    text = encoded.strip()
    if not text or len(text) % 4:
        raise DesignCorruptError("The design is not valid base64 (its length is not a multiple of 4).")
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise DesignCorruptError("The design is not valid base64.") from None


def _too_large(max_bytes: int) -> DesignTooLargeError:
    return DesignTooLargeError(f"The design decompresses to more than {max_bytes} bytes.", maxBytes=max_bytes)


def _inflate(compressed: bytes, max_bytes: int, keep: bool) -> tuple[int, list[bytes]]:
    """The first gzip member's size, and its bytes when ``keep`` (dropped once past SINGLE_PASS_BYTES)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container only
    view = memoryview(compressed)
    size, kept = 0, []
    try:
        for start in range(0, len(view), GZIP_SLICE_BYTES):
            pending: bytes | memoryview = view[start : start + GZIP_SLICE_BYTES]
            while not inflater.eof:
                chunk = inflater.decompress(pending, INFLATE_CHUNK_BYTES)
                pending, size = inflater.unconsumed_tail, size + len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                if keep and size <= SINGLE_PASS_BYTES:
                    kept.append(chunk)
                elif keep:
                    keep = False
                    kept.clear()
                if not pending and len(chunk) < INFLATE_CHUNK_BYTES:
                    break  # this slice is used up and zlib holds no output back
            if inflater.eof:
                break
    except zlib.error:
        raise DesignCorruptError("The design is not valid gzip data.") from None
    if not inflater.eof:
        raise DesignCorruptError("The design's gzip stream is truncated.")
    return size, kept if keep else []


def _gunzip_bounded(compressed: bytes, max_bytes: int) -> bytes:
    size, kept = _inflate(compressed, max_bytes, keep=True)
    if size and not kept:  # past SINGLE_PASS_BYTES but within the cap: inflate again, keeping it all
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        return inflater.decompress(compressed, size)
    return b"".join(kept)


@dataclass(frozen=True, slots=True)
class DesignDocument:
    """A decoded design, the sizes it came in at, and the summary the typed fields read."""

    document: dict[str, Any]
    compressed_bytes: int
    decompressed_bytes: int
    scene: SceneSummary


def decode_design(encoded: str, max_bytes: int) -> DesignDocument:
    compressed = _base64(encoded)
    raw = _gunzip_bounded(compressed, max_bytes)
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise DesignCorruptError("The design's decompressed content is not valid JSON.") from None
    if not isinstance(document, dict):
        raise DesignCorruptError("The design's JSON is not an object.")
    return DesignDocument(document, len(compressed), len(raw), summarize(document))


def _decode_off_loop(encoded: str, max_bytes: int) -> DesignDocument:
    try:
        return decode_design(encoded, max_bytes)
    except DesignError as exc:
        # The traceback's frames (and those of the error it replaced) hold the decode's buffers:
        # the error travels on without them.
        exc.__context__ = exc.__cause__ = None
        raise exc.with_traceback(None) from None


def default_concurrency() -> int:
    return max(1, min(MAX_DECODE_CONCURRENCY, (os.cpu_count() or 1) - 1))


def _digest(encoded: str) -> str:
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(slots=True)
class DesignCodec:
    """Decodes designs under the configured cap, keeps recent results, and counts real decodes.

        The memory is content-addressed (the SHA-256 of the encoded string), so a hit needs the very
        same design string: it can never hand one tenant's design to another. It is bounded by the
        decompressed bytes it holds (a ``cachetools.LRUCache`` with those bytes as its budget, under a lock:
    lookups and stores may come from worker threads); treat the documents it returns as read-only.
    """

    max_bytes: int
    memory_bytes: int = 64 * 1024 * 1024
    decoded: int = field(default=0)
    concurrency: int = field(default_factory=default_concurrency)
    _recent: LRUCache[str, DesignDocument] = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)  # the memory is shared with threads
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._recent = LRUCache(maxsize=self.memory_bytes, getsizeof=_decompressed_size)
        self._slots = asyncio.Semaphore(self.concurrency)

    async def decode(self, encoded: str) -> DesignDocument:
        if len(encoded) > INLINE_HASH_CHARS:
            digest = await asyncio.to_thread(_digest, encoded)
        else:
            digest = _digest(encoded)
        with self._lock:
            known = self._recent.get(digest)
        if known is not None:
            return known
        self.decoded += 1
        await self._slots.acquire()
        work = asyncio.ensure_future(asyncio.to_thread(_decode_off_loop, encoded, self.max_bytes))
        work.add_done_callback(self._release)
        # A caller that gives up (deadline, disconnect) leaves the decode running in its thread: the
        # slot stays taken until the thread is done, so abandoned decodes cannot pile up.
        document = await asyncio.shield(work)
        self._remember(digest, document)
        return document

    def _release(self, work: asyncio.Future[DesignDocument]) -> None:
        self._slots.release()
        if not work.cancelled():
            work.exception()  # retrieved, so an abandoned failure is not reported as unhandled

    def _remember(self, digest: str, document: DesignDocument) -> None:
        if document.decompressed_bytes > self.memory_bytes // 4:
            return  # one huge design must not flush everything else
        with self._lock:
            self._recent[digest] = document


def _decompressed_size(document: DesignDocument) -> int:
    return document.decompressed_bytes


def json_at_path(document: Any, path: str | None) -> Any:
    """A sub-tree by dotted path (``systems.0.pricing``) or JSON Pointer (``/systems/0/pricing``)."""
    if not path:
        return document
    parts = path.split("/")[1:] if path.startswith("/") else path.split(".")
    node = document
    for raw in parts:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def json_for_response(document: Any, path: str | None) -> Any:
    """``json_at_path``, refused with ``DesignCorruptError`` when it nests too deep to be written out."""
    value = json_at_path(document, path)
    if isinstance(value, dict | list):
        wrapped = value
        for _ in range(RESPONSE_LEVELS_ABOVE):
            wrapped = [wrapped]
        try:
            orjson.dumps(wrapped)
        except orjson.JSONEncodeError:
            raise DesignCorruptError("The design's JSON here nests deeper than a response can carry.") from None
    return value
