"""Response compression by ``Accept-Encoding``: Brotli, zstd and gzip, above a size threshold.

Three places compress, each once:

- ``Compression`` (pure ASGI) compresses a response as it leaves, when it is JSON or text, at least
  ``MIN_BYTES`` long, sent in one piece (streams, such as multipart or SSE, pass as they are) and not
  encoded already. It also says which representation the client wants (``negotiated``), so the
  response cache can serve a stored one.
- ``encode_all`` compresses a response-cache entry when it is stored, at higher levels: a hit then
  sends stored bytes and compresses nothing (``gateway/response_cache/store.py``).
- ``frontend/precompress.py`` writes ``.br``/``.gz`` files of GraphiQL's assets at build time, and
  ``PrecompressedFiles`` serves them.

The client's preference order is honoured by q-value; among equals Brotli wins (the smallest for
JSON), then zstd, then gzip. ``Vary: Accept-Encoding`` goes on every response that was, or for this
client could have been, compressed (an identity answer to a client that accepts no coding is safe to
share, and skipping the layer keeps the response-cache hit as cheap as before). Brotli is Google's own
binding; zstd is ``backports.zstd``, the backport of Python 3.14's ``compression.zstd`` (the standard
library's own module from 3.14 on).
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import brotli
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.headers import edge_headers
from gateway.media import JSON, media_type

try:  # Python >= 3.14
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - the backport below is the same module
    from backports import zstd  # type: ignore[no-redef,unused-ignore]

__all__ = [
    "ENCODINGS",
    "MIN_BYTES",
    "Compression",
    "Negotiated",
    "PrecompressedFiles",
    "choose_encoding",
    "compress",
    "encode_all",
    "negotiated",
    "zstd",
]

MIN_BYTES = 1024  # below this, headers and a codec's framing outweigh what it saves
ENCODINGS = ("br", "zstd", "gzip")  # preference among equal q-values
_DYNAMIC: dict[str, Callable[[bytes], bytes]] = {  # per response: fast levels
    "br": lambda body: brotli.compress(body, quality=4),
    "zstd": lambda body: zstd.compress(body, level=3),
    "gzip": lambda body: gzip.compress(body, compresslevel=5, mtime=0),
}
_STORED: dict[str, Callable[[bytes], bytes]] = {  # once per response-cache entry: better ratios, still ~1 ms
    "br": lambda body: brotli.compress(body, quality=6),
    "zstd": lambda body: zstd.compress(body, level=9),
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}
_COMPRESSIBLE = (b"application/json", b"application/graphql-response+json", b"text/", b"application/javascript")
VARY_VALUE = b"Accept-Encoding"


@dataclass(frozen=True, slots=True)
class Negotiated:
    """What this request's client accepts: the JSON media type and the content coding (None: identity)."""

    media: str = JSON
    encoding: str | None = None


_DEFAULT = Negotiated()
negotiated: ContextVar[Negotiated] = ContextVar("negotiated", default=_DEFAULT)


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


@functools.lru_cache(maxsize=256)
def choose_encoding(accept_encoding: str) -> str | None:
    """The coding to answer with for this ``Accept-Encoding`` value, or None for identity."""
    offered: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, *params = part.split(";")
        if name.strip():
            offered[name.strip()] = _quality(params)
    star = offered.get("*", 0.0)
    best, best_q = None, 0.0
    for encoding in ENCODINGS:
        q = offered.get(encoding, star)
        if q > best_q:
            best, best_q = encoding, q
    return best


@functools.lru_cache(maxsize=256)
def _negotiate(accept: bytes, accept_encoding: bytes) -> Negotiated:
    """One shared ``Negotiated`` per pair of header values (the default one for JSON and identity)."""
    wanted = Negotiated(media_type(accept.decode("latin-1")), choose_encoding(accept_encoding.decode("latin-1")))
    return _DEFAULT if wanted == _DEFAULT else wanted


def compress(body: bytes, encoding: str) -> bytes:
    return _DYNAMIC[encoding](body)


def encode_all(body: bytes, min_bytes: int = MIN_BYTES) -> dict[str, bytes]:
    """Every coding of ``body`` that is worth sending (none below ``min_bytes`` or when it would not shrink)."""
    if len(body) < min_bytes:
        return {}
    encoded = {name: codec(body) for name, codec in _STORED.items()}
    return {name: data for name, data in encoded.items() if len(data) < len(body)}


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((value for key, value in headers if key.lower() == name), None)


class Compression:
    """Pure ASGI: compresses whole JSON and text responses for clients that accept it."""

    def __init__(self, app: ASGIApp, *, min_bytes: int = MIN_BYTES) -> None:
        assert min_bytes >= 0, "min_bytes must not be negative"
        self.app = app
        self.min_bytes = min_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = edge_headers(scope)
        wanted = _negotiate(headers.accept, headers.accept_encoding)
        if wanted is _DEFAULT:
            # JSON, identity: nothing to set or compress (an identity answer needs no Vary to be safe)
            await self.app(scope, receive, send)
            return
        token = negotiated.set(wanted)
        try:
            await self.app(scope, receive, _Compressing(send, wanted.encoding, self.min_bytes))
        finally:
            negotiated.reset(token)


class _Compressing:
    """A ``send`` that holds the response start until it sees whether the body comes in one piece."""

    __slots__ = ("encoding", "min_bytes", "send", "start")

    def __init__(self, send: Send, encoding: str | None, min_bytes: int) -> None:
        self.send = send
        self.encoding = encoding
        self.min_bytes = min_bytes
        self.start: Message | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            for name, value in message.get("headers", ()):
                if name == b"content-encoding" or (name == b"vary" and VARY_VALUE in value):
                    await self.send(message)  # a stored or precompressed representation, as it is
                    return
            self.start = message
            return
        start, self.start = self.start, None
        if start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        headers = list(start.get("headers", ()))
        body: bytes = message.get("body", b"")
        content_type = _header(headers, b"content-type") or b""
        candidate = start["status"] not in (204, 304) and content_type.startswith(_COMPRESSIBLE)
        varied = b"accept-encoding" in (_header(headers, b"vary") or b"").lower()
        if candidate and not varied and (message.get("more_body") or len(body) >= self.min_bytes):
            headers.append((b"vary", VARY_VALUE))
        if candidate and self.encoding and not message.get("more_body") and len(body) >= self.min_bytes:
            encoded = compress(body, self.encoding)
            if len(encoded) < len(body):
                body = encoded
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers += [(b"content-encoding", self.encoding.encode()), (b"content-length", str(len(body)).encode())]
                message = {**message, "body": body}
        await self.send({**start, "headers": headers})
        await self.send(message)


_SUFFIXES = {"br": ".br", "zstd": ".zst", "gzip": ".gz"}


class PrecompressedFiles(StaticFiles):
    """``StaticFiles`` that sends ``name.br``/``.zst``/``.gz`` (written at build time) when the client accepts it."""

    async def get_response(self, path: str, scope: Scope) -> Any:
        encoding = choose_encoding(edge_headers(scope).accept_encoding.decode("latin-1"))
        response = await super().get_response(path, scope)
        if response.status_code != 200:
            return response
        full_path, stat = self.lookup_path(path + _SUFFIXES[encoding]) if encoding else ("", None)
        if stat is None:
            return response
        encoded = self.file_response(full_path, stat, scope)
        encoded.headers["content-type"] = response.headers["content-type"]
        encoded.headers["content-encoding"] = str(encoding)
        encoded.headers["vary"] = VARY_VALUE.decode()
        return encoded
