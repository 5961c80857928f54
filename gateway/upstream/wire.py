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

``open_stream`` sends one call through it without ``AsyncClient.send``'s machinery: an upstream call
has no auth flow, follows no redirect and keeps no cookie, so the request is built once with the
client's headers and timeouts and handed to the transport the client would pick (its proxy mounts
included). That machinery (header merging twice, the auth and redirect generators, the bound stream)
was a third of httpx's cost per call. httpx's own per-call INFO line ("HTTP Request: ...") goes with
it: it is written at DEBUG to ``gateway.upstreams`` instead (the access line and the upstream call
metrics already count every call).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

__all__ = ["CookielessClient", "loads", "open_stream", "url_with_query"]

logger = logging.getLogger("gateway.upstreams")


class _Discarding(httpx.Cookies):
    """A cookie jar that stays empty: answers' ``Set-Cookie`` headers are not read."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class CookielessClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that neither stores nor sends cookies (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._discarding = _Discarding()
        self._timeouts = self.timeout.as_dict()
        self._defaults = [(name.decode(), value.decode()) for name, value in self.headers.raw]

    def call_request(
        self, method: str, url: httpx.URL, headers: Mapping[str, str] | None, json_body: Any
    ) -> httpx.Request:
        """What ``build_request(method, url, headers=headers, json=json_body)`` builds, merged once."""
        merged = self._defaults
        if headers:
            names = {name.lower() for name in headers}
            merged = [(k, v) for k, v in self._defaults if k.lower() not in names] + list(headers.items())
        return httpx.Request(method, url, headers=merged, json=json_body, extensions={"timeout": self._timeouts})

    async def open(self, request: httpx.Request) -> httpx.Response:
        """``send(request, stream=True)`` for a request of ``call_request``: no auth, redirect, cookie or hook."""
        if self.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        transport = self._transport_for_url(request.url)  # the transport send() would use (proxy mounts)
        response = await transport.handle_async_request(request)
        response.request = request
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("HTTP Request: %s %s %d", request.method, request.url, response.status_code)
        return response

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


async def open_stream(
    http: httpx.AsyncClient, method: str, url: httpx.URL, headers: Mapping[str, str] | None, json_body: Any
) -> httpx.Response:
    """One call's response, its body not read yet (``CookielessClient.open``; any other client: ``send``)."""
    if isinstance(http, CookielessClient):
        return await http.open(http.call_request(method, url, headers, json_body))
    request = http.build_request(method, url, json=json_body, headers=headers)
    return await http.send(request, stream=True)


def loads(body: bytes) -> Any:
    """JSON from bytes; ``ValueError`` when they are not JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)
