"""The bytes of an upstream call, made cheaply: its URL and its JSON answer.

A cold portfolio makes ~117 upstream calls, so per-call costs add up: ``httpx``'s
``build_request(params=...)`` parses the URL, merges the query and parses it again (half of request
building, measured with ``python -m benchmarks.cpu --cold``); appending the query first parses it
once, and ``upstream_url`` not at all when the path needs no normalising (the upstream's origin is
parsed once, and the path and ``urlencode``'s query are already in the form httpx's parse gives).
``orjson`` reads a body in about half the stdlib's time; what it refuses but the stdlib reads
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
metrics already count every call). ``body_chunks`` reads the answer the same way: from the transport's
stream, without ``aiter_bytes``' generators, when there is no ``Content-Encoding`` to decode.

``UpstreamTransport`` is httpx-aiohttp's transport over an aiohttp session that keeps no cookies
either: aiohttp's default jar would store an answer's ``Set-Cookie`` and send it with every later
call to that host, whoever the caller (and it filtered the jar for every request).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
import orjson
from httpx_aiohttp import AiohttpTransport

__all__ = [
    "CookielessClient",
    "UpstreamTransport",
    "body_chunks",
    "loads",
    "open_stream",
    "upstream_url",
    "url_with_query",
]

_SIZED_METHODS = frozenset({"POST", "PUT", "PATCH"})  # httpx gives these a Content-Length even without a body
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/_~-]*")  # nothing httpx would quote or normalise (no dot segments)

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
        try:
            self._default_items: list[tuple[bytes, bytes, bytes]] | None = _header_items(self._defaults)
        except UnicodeEncodeError:
            self._default_items = None  # httpx refuses a non-ASCII header in every call's build, as before
        self._default_names = {lower for _, lower, _ in self._default_items or ()}

    def call_request(
        self, method: str, url: httpx.URL, headers: Mapping[str, str] | None, json_body: Any
    ) -> httpx.Request:
        """What ``build_request(method, url, headers=headers, json=json_body)`` builds, merged once."""
        if json_body is None and self._default_items is not None and method.upper() not in _SIZED_METHODS:
            return self._bodiless_request(method, url, headers)
        merged = self._defaults
        if headers:
            names = {name.lower() for name in headers}
            merged = [(k, v) for k, v in self._defaults if k.lower() not in names] + list(headers.items())
        return httpx.Request(method, url, headers=merged, json=json_body, extensions={"timeout": self._timeouts})

    def _bodiless_request(self, method: str, url: httpx.URL, headers: Mapping[str, str] | None) -> httpx.Request:
        """``httpx.Request(method, url, headers=merged)`` for a call without a body, its headers normalised once.

        httpx's constructor normalises the headers, looks four names up and normalises them all again
        to put ``Host`` first (a third of an upstream call's request building, ~8 us); here the
        client's headers are normalised once per client and the call's once (by ``httpx.Headers``),
        ``Host`` goes first as httpx puts it, and the empty body is read as httpx reads it. httpx
        adds no other header to a bodiless GET, HEAD, DELETE or OPTIONS (``test_wire`` checks each
        attribute against httpx's own build; httpx is pinned below 0.29).
        """
        assert self._default_items is not None
        call = _header_items(headers) if headers else []
        names = {lower for _, lower, _ in call}
        kept = [item for item in self._default_items if item[1] not in names] if names else self._default_items
        merged = httpx.Headers()
        if url.host and b"host" not in names and b"host" not in self._default_names:
            merged._list = [(b"Host", b"host", url.netloc), *kept, *call]
        else:
            merged._list = [*kept, *call]
        request = httpx.Request(
            method, url, headers=merged, stream=httpx.ByteStream(b""), extensions={"timeout": self._timeouts}
        )
        request._content = b""  # what httpx's read() of the empty body leaves
        return request

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


def _header_items(headers: Mapping[str, str] | list[tuple[str, str]]) -> list[tuple[bytes, bytes, bytes]]:
    """Headers as ``httpx.Headers`` holds them: (name, lower-case name, value), ASCII-encoded."""
    return httpx.Headers(headers)._list


def _text(value: str | int) -> str:
    """A query parameter as httpx writes one (booleans lower-case)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def url_with_query(url: str, params: Mapping[str, str | int]) -> httpx.URL:
    """``url`` with ``params`` encoded as httpx would, parsed once."""
    query = urlencode([(key, _text(value)) for key, value in params.items()])
    return httpx.URL(f"{url}?{query}" if query else url)


def upstream_url(origin: httpx.URL, path: str, params: Mapping[str, str | int]) -> httpx.URL:
    """``url_with_query(f"{origin}{path}", params)``, without parsing when ``path`` is plain.

    ``origin`` is parsed once per upstream; the result shares its scheme, host and port and takes
    the path appended and ``urlencode``'s query, both already as httpx's parse would leave them.
    """
    reference = origin._uri_reference  # httpx's parsed form (pinned: httpx<0.29; test_wire checks equality)
    if not _PLAIN_PATH.fullmatch(path) or reference.query is not None or reference.fragment is not None:
        return url_with_query(f"{origin}{path}", params)
    query = urlencode([(key, _text(value)) for key, value in params.items()])
    url = httpx.URL.__new__(httpx.URL)
    url._uri_reference = reference._replace(path=reference.path + path, query=query or None)
    return url


class UpstreamTransport(AiohttpTransport):
    """httpx-aiohttp's transport whose aiohttp session keeps no cookies (see the module docstring)."""

    def get_client(self) -> aiohttp.ClientSession:
        if self.client is not None or self.uds:
            return super().get_client()
        limit = {} if self.limits.max_connections is None else {"limit": self.limits.max_connections}
        connector = aiohttp.TCPConnector(
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
            local_addr=(self.local_address, 0) if self.local_address else None,
            **limit,  # type: ignore[arg-type]
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())


async def open_stream(
    http: httpx.AsyncClient, method: str, url: httpx.URL, headers: Mapping[str, str] | None, json_body: Any
) -> httpx.Response:
    """One call's response, its body not read yet (``CookielessClient.open``; any other client: ``send``)."""
    if isinstance(http, CookielessClient):
        return await http.open(http.call_request(method, url, headers, json_body))
    request = http.build_request(method, url, json=json_body, headers=headers)
    return await http.send(request, stream=True)


def body_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """What ``response.aiter_bytes()`` yields, straight from the transport's stream when nothing is to decode.

    Without a ``Content-Encoding`` httpx's decoder and chunker pass each chunk through unchanged, but
    its two nested generators, two ``request_context`` managers and the chunkers cost ~8 us a call;
    the caller closes the response either way (``UpstreamClient._send`` does, in ``finally``).
    """
    stream = response.stream
    if isinstance(stream, httpx.AsyncByteStream) and "content-encoding" not in response.headers:
        return stream.__aiter__()
    return response.aiter_bytes()


def loads(body: bytes) -> Any:
    """JSON from bytes; ``ValueError`` when they are not JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)
