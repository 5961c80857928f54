"""The bytes of an upstream call, made cheaply: its URL and its JSON answer.

A cold portfolio makes ~117 upstream calls, so per-call costs add up: ``httpx``'s
``build_request(params=...)`` parses the URL, merges the query and parses it again (half of request
building, measured with ``python -m benchmarks.cpu --cold``); appending the query first parses it
once. ``orjson`` reads a body in about half the stdlib's time; what it refuses but the stdlib reads
(``NaN``, integers past 64 bits, both seen from real upstreams) still reads as before.

``CookielessClient`` is the ``httpx.AsyncClient`` the upstream clients use: it keeps no cookies.
Every call carries its caller's own credential (pass-through auth), so one client-wide jar would
send the cookies one caller's answer set with another caller's requests; and reading each answer
into the jar (httpx builds a urllib request per response for it) was ~6% of a cold portfolio's CPU.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

__all__ = ["CookielessClient", "loads", "url_with_query"]


class _Discarding(httpx.Cookies):
    """A cookie jar that stays empty: answers' ``Set-Cookie`` headers are not read."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class CookielessClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that neither stores nor sends cookies (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._discarding = _Discarding()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._discarding

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise TypeError("upstream clients keep no cookies")


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
