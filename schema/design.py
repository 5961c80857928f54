"""Design data: base64 -> bounded gunzip -> JSON, and a typed reading of the scene graph.

Decoding is bounded while it streams: base64 is decoded in slices, gzip is inflated with
``max_length`` so no step ever holds more than the cap (plus one slice), and a decompressed size
over the cap raises ``DesignTooLargeError`` before the excess is produced. Invalid base64, gzip or
JSON raises ``DesignCorruptError``. ``DesignCodec`` counts decodes so tests can prove that a query
which does not select ``design`` decodes nothing, and one that selects it twice decodes once; it
also remembers recent decodes by content, so repeated requests do not decode the same design again.
"""

from __future__ import annotations

import asyncio
import binascii
import hashlib
import json
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import DesignCorruptError, DesignTooLargeError

__all__ = ["DesignCodec", "DesignDocument", "decode_design", "json_at_path"]

B64_SLICE_CHARS = 256 * 1024  # a multiple of 4: each slice decodes on its own
# Below this many base64 characters decoding takes well under a millisecond; above, it moves to a
# worker thread (zlib releases the GIL) so one big design never stalls the event loop.
THREAD_THRESHOLD_CHARS = 512 * 1024


def _base64_slices(encoded: str) -> Iterator[bytes]:
    text = encoded.strip()
    if not text or len(text) % 4:
        raise DesignCorruptError("The design is not valid base64 (its length is not a multiple of 4).")
    for start in range(0, len(text), B64_SLICE_CHARS):
        try:
            yield binascii.a2b_base64(text[start : start + B64_SLICE_CHARS], strict_mode=True)
        except (binascii.Error, ValueError):
            raise DesignCorruptError("The design is not valid base64.") from None


def _gunzip_bounded(slices: Iterator[bytes], max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container only
    out = bytearray()
    try:
        for data in slices:
            pending = data
            while pending and not inflater.eof:
                out += inflater.decompress(pending, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise DesignTooLargeError(
                        f"The design decompresses to more than {max_bytes} bytes.", maxBytes=max_bytes
                    )
                pending = inflater.unconsumed_tail
        out += inflater.flush(max_bytes + 1 - len(out))
    except zlib.error:
        raise DesignCorruptError("The design is not valid gzip data.") from None
    if len(out) > max_bytes:
        raise DesignTooLargeError(f"The design decompresses to more than {max_bytes} bytes.", maxBytes=max_bytes)
    if not inflater.eof:
        raise DesignCorruptError("The design's gzip stream is truncated.")
    return bytes(out)


@dataclass(frozen=True, slots=True)
class DesignDocument:
    """A decoded design and the sizes it came in at."""

    document: dict[str, Any]
    compressed_bytes: int
    decompressed_bytes: int


def decode_design(encoded: str, max_bytes: int) -> DesignDocument:
    raw = _gunzip_bounded(_base64_slices(encoded), max_bytes)
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise DesignCorruptError("The design's decompressed content is not valid JSON.") from None
    if not isinstance(document, dict):
        raise DesignCorruptError("The design's JSON is not an object.")
    return DesignDocument(document, compressed_bytes=len(encoded) * 3 // 4, decompressed_bytes=len(raw))


@dataclass(slots=True)
class DesignCodec:
    """Decodes designs under the configured cap, keeps recent results, and counts real decodes.

    The memory is content-addressed (the SHA-256 of the encoded string), so a hit needs the very
    same design string: it can never hand one tenant's design to another. It is bounded by the
    decompressed bytes it holds; treat the documents it returns as read-only.
    """

    max_bytes: int
    memory_bytes: int = 64 * 1024 * 1024
    decoded: int = field(default=0)
    _recent: OrderedDict[str, DesignDocument] = field(default_factory=OrderedDict)
    _held: int = field(default=0)

    async def decode(self, encoded: str) -> DesignDocument:
        digest = hashlib.sha256(encoded.encode()).hexdigest()
        if (known := self._recent.get(digest)) is not None:
            self._recent.move_to_end(digest)
            return known
        self.decoded += 1
        if len(encoded) > THREAD_THRESHOLD_CHARS:
            document = await asyncio.to_thread(decode_design, encoded, self.max_bytes)
        else:
            document = decode_design(encoded, self.max_bytes)
        self._remember(digest, document)
        return document

    def _remember(self, digest: str, document: DesignDocument) -> None:
        if document.decompressed_bytes > self.memory_bytes // 4:
            return  # one huge design must not flush everything else
        self._recent[digest] = document
        self._held += document.decompressed_bytes
        while self._held > self.memory_bytes:
            _, dropped = self._recent.popitem(last=False)
            self._held -= dropped.decompressed_bytes


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
