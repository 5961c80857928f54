"""The request headers the edge reads, found in one pass and kept in the scope for every layer."""

from __future__ import annotations

from typing import Any

from gateway.headers import EdgeHeaders, edge_headers
from tests.counted import CountedHeaders


def test_each_header_is_its_first_value_case_insensitively_and_absent_ones_are_empty() -> None:
    scope: dict[str, Any] = {
        "headers": [
            (b"Authorization", b"Bearer one"),
            (b"authorization", b"Bearer two"),
            (b"x-api-key", b"k1"),
            (b"Accept-Encoding", b"br"),
            (b"content-type", b"application/json"),
            (b"x-request-id", b"trace-me"),
        ]
    }
    headers = edge_headers(scope)
    assert headers.authorization == b"Bearer one" and headers.api_key == b"k1" and headers.accept_encoding == b"br"
    assert headers.content_type == b"application/json" and headers.request_id == b"trace-me"
    assert headers.accept == headers.content_length == headers.if_none_match == b""
    assert headers.origin is None  # no Origin header at all


def test_an_empty_origin_is_still_an_origin() -> None:
    assert edge_headers({"headers": [(b"origin", b"")]}).origin == b""
    assert edge_headers({"headers": [(b"Origin", b"http://localhost:3000")]}).origin == b"http://localhost:3000"


def test_the_longest_header_is_named_when_it_is_past_the_limit_and_not_at_it() -> None:
    limit = 100
    at = b"x" * (limit - len(b"x-at"))
    past = b"y" * (limit - len(b"x-past") + 1)
    assert edge_headers({"headers": [(b"x-at", at), (b"host", b"h")]}).oversized(limit) is None
    assert edge_headers({"headers": [(b"x-at", at), (b"X-Past", past)]}).oversized(limit) == "X-Past"


def test_the_headers_are_read_once_per_scope() -> None:
    headers = CountedHeaders([(b"accept", b"application/json")])
    scope: dict[str, Any] = {"headers": headers}
    first = edge_headers(scope)
    assert edge_headers(scope) is first and isinstance(first, EdgeHeaders) and headers.reads == 1
