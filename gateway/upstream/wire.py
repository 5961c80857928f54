"""The bytes of an upstream call, made cheaply: its URL and its JSON answer.

A cold portfolio makes ~117 upstream calls, so per-call costs add up: ``httpx``'s
``build_request(params=...)`` parses the URL, merges the query and parses it again (half of request
building, measured with ``python -m benchmarks.cpu --cold``); appending the query first parses it
once. ``orjson`` reads a body in about half the stdlib's time; what it refuses but the stdlib reads
(``NaN``, integers past 64 bits, both seen from real upstreams) still reads as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

__all__ = ["loads", "url_with_query"]


def _text(value: str | int) -> str:
    """A query parameter as httpx writes one (booleans lower-case)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def url_with_query(url: str, params: Mapping[str, str | int]) -> httpx.URL:
    """``url`` with ``params`` encoded as httpx would, parsed once."""
    query = urlencode([(key, _text(value)) for key, value in params.items()])
    return httpx.URL(f"{url}?{query}" if query else url)


def loads(body: bytes) -> Any:
    """JSON from bytes; ``ValueError`` when they are not JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)
