"""The response-cache hit path: stored bytes sent as they are, with their ETag (304 on ``If-None-Match``).

Nothing is parsed, executed or compressed here: the stored representation for the client's media
type and content coding is sent, with one ``Vary: Accept, Accept-Encoding, Authorization, X-API-Key``
(the response depends on the media type, the coding and the credential), built once with the
representation, and, for GET, ``Cache-Control: private, max-age=<what is left of its TTL>``.
"""

from __future__ import annotations

import time

from starlette.types import Send

from gateway.compression import negotiated
from gateway.exchange import Exchange
from gateway.observability import Metrics
from gateway.response_cache.keys import Known
from gateway.response_cache.store import VARY_ANSWER, CachedResponse, ResponseCache

__all__ = ["VARY", "send_cached", "serve_hit"]

VARY = (b"vary", VARY_ANSWER)  # on an answer that is not a stored representation (which carries its own)


async def serve_hit(
    send: Send, cache: ResponseCache, metrics: Metrics, key: str, etags: str | None, is_get: bool, known: Known
) -> bool:
    """Send the stored response under ``key`` if there is one; False: a miss, nothing was sent."""
    hit = await cache.get(key)
    if hit is None:
        return False
    started = time.perf_counter()
    await send_cached(send, hit, is_get, etags, time.time())
    metrics.operation(known.label, "cached", time.perf_counter() - started)
    return True


async def send_cached(send: Send, cached: CachedResponse, is_get: bool, etags: str | None, now: float) -> None:
    headers, body = cached.representation(negotiated.get())  # the client's media type and coding, as stored
    if is_get:
        headers = (*headers, (b"cache-control", f"private, max-age={cached.max_age(now)}".encode()))
    if etags and cached.etag in {tag.strip() for tag in etags.split(",")}:
        headers = tuple(h for h in headers if h[0] != b"content-length")
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if type(send) is Exchange:  # nothing between the access layer and here wrapped it
        await send.respond(200, headers, body)
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
