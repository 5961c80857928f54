"""The access side of observability, at the edge: a request id for every exchange, its metrics and log line.

Every HTTP exchange gets a request id (a sane ``X-Request-ID`` or a new one, echoed in the response
and carried by every log line through ``gateway.observability.request_id``), is counted by route and
status (front-door rejections included), and, at INFO, leaves one access-log line with its duration.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterable

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.exchange import Exchange
from gateway.headers import edge_headers
from gateway.http.edge import EdgeState
from gateway.log_pipeline import access_line
from gateway.observability import request_id

__all__ = ["HttpObservabilityMiddleware", "RequestIds"]

access_log = logging.getLogger("gateway.access")
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")  # whole value (fullmatch)


class RequestIds:
    """Request ids that cost no system call each: 128 random bits (32 hex digits), read from ``os.urandom``
    for ``BATCH`` ids at a time and handed out as slices of one hex string.

    Random, not counted: they do not tell callers how many requests came before theirs, and two ids
    collide with a probability of about 2^-128 per pair.
    """

    BATCH = 256
    _WIDTH = 32

    def __init__(self) -> None:
        self._hex = ""
        self._at = 0

    def new(self) -> str:
        at = self._at
        if at >= len(self._hex):
            self._hex, at = os.urandom(self.BATCH * self._WIDTH // 2).hex(), 0
        self._at = at + self._WIDTH
        return self._hex[at : at + self._WIDTH]


def route_labels(routes: Iterable[BaseRoute]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The app's routes as metric labels: exact paths, and the fixed prefix of each path with parameters.

    ``/webhooks/opensolar/{org_id}`` is counted as ``/webhooks/opensolar`` (no org ids in labels);
    anything else (mounts, unknown paths) is ``other``, so the labels stay bounded.
    """
    paths = [route.path for route in routes if isinstance(route, Route)]
    prefixes = tuple(sorted({path.split("/{", 1)[0] for path in paths if "{" in path}))
    return frozenset(path for path in paths if "{" not in path), prefixes


class HttpObservabilityMiddleware:
    """Every HTTP exchange gets a request id (a sane ``X-Request-ID`` or a new one, echoed in the
    response and carried by every log line), is counted by route and status (gate rejections
    included), and, at INFO, leaves one access-log line with its duration. The layers below send
    through an ``Exchange`` (``gateway/exchange.py``), which notes the status and adds the id: this
    runs on the response-cache hit path too.
    """

    def __init__(self, app: ASGIApp, *, state: EdgeState, routes: Iterable[BaseRoute] = ()) -> None:
        self.app = app
        self.state = state  # the app's metrics, once the lifespan has opened them
        self.paths, self.prefixes = route_labels(routes)
        self.ids = RequestIds()

    def label(self, path: str) -> str:
        if path in self.paths:
            return path
        return next((prefix for prefix in self.prefixes if path.startswith(prefix + "/")), "other")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        given = edge_headers(scope).request_id
        rid = given.decode("latin-1") if given and _REQUEST_ID.fullmatch(given) else self.ids.new()
        token = request_id.set(rid)
        if scope["type"] == "websocket":
            try:
                await self.app(scope, receive, send)
            finally:
                request_id.reset(token)
            return
        logged = access_log.isEnabledFor(logging.INFO)
        started = time.perf_counter() if logged else 0.0
        exchange = Exchange(send, rid)
        try:
            await self.app(scope, receive, exchange)
        finally:
            path = scope.get("path", "")
            edge = self.state.edge
            if edge is not None:
                edge.metrics.http_response(self.label(path), exchange.status)
            if logged:  # the message and fields are made off the event loop
                access_line(access_log, scope["method"], path, exchange.status, rid, time.perf_counter() - started)
            request_id.reset(token)
