"""Incremental delivery (``@defer``/``@stream``) over HTTP: the parts' media type and how they are written.

The front door buffers an answer to store it in the response cache with its ETag and compressed
codings. A ``multipart/mixed`` answer (one part per increment) must instead reach the client part by
part: ``gateway/http/execution.py`` ``Capture`` forwards it as it comes. It is never stored (its key
is never looked up either: ``defers`` spots the directives in the document's text) and never
compressed (``Compression`` only compresses answers sent in one piece: each part would need its own
flush, the parts are small, and holding one back to compress it would delay what ``@defer`` is
for). ``MultipartParts`` is the view's multipart writer: the ``deferSpec=20220824`` content type
Apollo's clients ask for, and no ``"extensions": null`` in a part.

The parts are graphql-core 3.3's (graphql-js 17 alpha 9: ``pending``, ``incremental`` by ``id``,
``completed``; what Apollo Server sends for ``incrementalSpec=v0.2``), and Strawberry also gives each
increment its ``path`` and ``label``: all a 2022-08-24 client (Apollo Client 3) reads to merge a
``@defer`` part. ``@stream`` items need an alpha-9 client (Apollo Client 4's ``GraphQL17Alpha9Handler``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from strawberry.http.streaming import MultipartTransport

__all__ = ["MULTIPART_MIXED", "MultipartParts", "accepts_multipart", "defers", "tidy"]

MULTIPART_MIXED = "multipart/mixed"
_DIRECTIVE = re.compile(r"@(?:defer|stream)\b")


def defers(document: str) -> bool:
    """Whether the document's text names ``@defer`` or ``@stream`` (a comment or string too: then it is
    only not cached, which costs nothing but the cache)."""
    return "@" in document and _DIRECTIVE.search(document) is not None


def accepts_multipart(accept: str) -> bool:
    """Whether ``Accept`` admits ``multipart/mixed`` (any ``deferSpec``/``incrementalSpec``), with q > 0."""
    for part in accept.split(","):
        media, *params = part.split(";")
        if media.strip().lower() != MULTIPART_MIXED:
            continue
        quality = next((p.partition("=")[2].strip() for p in params if p.strip().lower().startswith("q=")), "1")
        try:
            if float(quality) > 0:
                return True
        except ValueError:
            continue
    return False


class MultipartParts(MultipartTransport):
    """Strawberry's multipart writer, with the content type Apollo Server sends for ``@defer``."""

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Content-Type": f'{MULTIPART_MIXED}; boundary="{self.separator}"; deferSpec=20220824'}

    def encode_multipart_data(self, data: object, encode_json: Callable[[object], str]) -> str:
        return super().encode_multipart_data(tidy(data) if isinstance(data, dict) else data, encode_json)


def tidy(part: dict[str, Any]) -> dict[str, Any]:
    """A part as Strawberry formats it, without ``"extensions": null`` or an increment's ``"label": null``."""
    tidied = {key: value for key, value in part.items() if key != "extensions" or value}
    if "incremental" in tidied:
        tidied["incremental"] = [
            {key: value for key, value in entry.items() if key != "label" or value is not None}
            for entry in tidied["incremental"]
        ]
    return tidied
