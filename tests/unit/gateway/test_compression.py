"""Compression: the coding chosen, responses compressed once, stored codings served as stored."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from gateway import compression
from gateway.cache.store import MemoryStore
from gateway.compression import Compression, Negotiated, PrecompressedFiles, choose_encoding, zstd
from gateway.response_cache.store import ResponseCache

BIG = {"rows": [{"id": i, "title": f"project {i}", "zip": "94103"} for i in range(200)]}


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("gzip, zstd", "zstd"),
        ("br;q=0.5, gzip", "gzip"),
        ("*", "br"),
        ("*, br;q=0", "zstd"),
        ("deflate", None),
        ("gzip;q=0", None),
    ],
)
def test_the_coding_follows_accept_encoding(accept_encoding: str, expected: str | None) -> None:
    assert choose_encoding(accept_encoding) == expected


def app(tmp: Path | None = None) -> Starlette:
    def big(request: Request) -> Response:
        return JSONResponse(BIG)

    def small(request: Request) -> Response:
        return JSONResponse({"ok": True})

    def stream(request: Request) -> Response:
        return StreamingResponse(iter([b"x" * 4096, b"y" * 4096]), media_type="text/plain")

    def image(request: Request) -> Response:
        return Response(b"\x89PNG" * 1000, media_type="image/png")

    routes: list[Route | Mount] = [
        Route("/big", big),
        Route("/small", small),
        Route("/stream", stream),
        Route("/image", image),
    ]
    if tmp is not None:
        routes.append(Mount("/static", PrecompressedFiles(directory=tmp)))
    return Starlette(routes=routes, middleware=[Middleware(Compression)])


DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, "zstd": zstd.decompress}


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip"])
def test_a_large_json_response_is_compressed_in_the_accepted_coding(coding: str) -> None:
    with TestClient(app()) as client:
        plain = client.get("/big", headers={"Accept-Encoding": "identity"})
        raw = client.get("/big", headers={"Accept-Encoding": coding}, extensions={"decode": False})
        response = client.stream("GET", "/big", headers={"Accept-Encoding": coding})
        with response as streamed:
            body = b"".join(streamed.iter_raw())
            headers = streamed.headers
    assert raw.status_code == 200 and "vary" not in plain.headers  # identity for a client that wants it
    assert headers["content-encoding"] == coding and headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(body) < len(plain.content) / 4
    assert DECODE[coding](body) == plain.content


def test_small_streamed_and_binary_responses_pass_as_they_are() -> None:
    with TestClient(app()) as client:
        for path in ("/small", "/stream", "/image"):
            response = client.get(path, headers={"Accept-Encoding": "br, gzip"})
            assert "content-encoding" not in response.headers, path
        assert "vary" not in client.get("/small").headers and "vary" not in client.get("/image").headers


def test_precompressed_assets_are_sent_as_written(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_bytes(b"console.log(1);" * 1000)
    (tmp_path / "app.js.br").write_bytes(b"written at build time")
    with TestClient(app(tmp_path)) as client:
        response = client.stream("GET", "/static/app.js", headers={"Accept-Encoding": "gzip, br"})
        with response as streamed:
            assert b"".join(streamed.iter_raw()) == b"written at build time"
            assert streamed.headers["content-encoding"] == "br"
            assert streamed.headers["content-type"].startswith("text/javascript")
        # no .gz written: compressed as it leaves, like any other response
        other = client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
        assert other.headers["content-encoding"] == "gzip" and other.headers["vary"] == "Accept-Encoding"
        assert other.content == b"console.log(1);" * 1000


async def test_a_stored_response_keeps_its_codings_and_a_hit_compresses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = ResponseCache(MemoryStore(max_bytes=10_000_000, max_entries=100), "v")
    body = bytes(JSONResponse(BIG).body)
    stored = await cache.put("k", body, 60, ["t"])
    assert stored is not None and set(stored.encoded) == {"br", "zstd", "gzip"}
    cache.decoded = type(cache.decoded)()  # forget the decoded entry: the hit splits the stored bytes

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a hit must not compress")

    monkeypatch.setattr(compression, "_DYNAMIC", dict.fromkeys(compression.ENCODINGS, refuse))
    monkeypatch.setattr(compression, "_STORED", dict.fromkeys(compression.ENCODINGS, refuse))
    hit = await cache.get("k")
    assert hit is not None and hit.body == body
    for coding in ("br", "zstd", "gzip"):
        headers, sent = hit.representation(Negotiated(encoding=coding))
        assert DECODE[coding](sent) == body and (b"content-encoding", coding.encode()) in headers
        assert hit.representation(Negotiated(encoding=coding))[1] is sent  # built once
    headers, sent = hit.representation(Negotiated())
    assert sent == body and (b"content-length", str(len(body)).encode()) in headers


async def test_a_small_response_is_stored_without_codings() -> None:
    cache = ResponseCache(MemoryStore(max_bytes=10_000_000, max_entries=100), "v")
    stored = await cache.put("k", b'{"data":{"a":1}}', 60, [])
    assert stored is not None and stored.encoded == {}
    hit = await cache.get("k")
    assert hit is not None and hit.representation(Negotiated(encoding="br"))[1] == b'{"data":{"a":1}}'
