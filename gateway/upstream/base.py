"""What every upstream client shares: one call, bounded in time and size, mapped to the error tree.

A call streams the body so that an oversize answer is refused while it arrives, runs under an
overall deadline (httpx's read timeout is per chunk, so a trickling body needs one), and turns
every httpx exception and non-success status into a ``gateway.errors.UpstreamError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import httpx
from opentelemetry import trace
from pydantic import BaseModel

from gateway.cache.scope import CacheScope, fingerprint
from gateway.cache.upstream import CachePolicy, UpstreamCache
from gateway.cacheability import Cacheability
from gateway.deadline import current_deadline, within_deadline
from gateway.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
    error_for_status,
    redact,
)
from gateway.observability import tracer
from gateway.upstream.concurrency import AdaptiveConcurrency
from gateway.upstream.config import UpstreamConfig
from gateway.upstream.pacing import Pacer
from gateway.upstream.retry import RetryPolicy, parse_retry_after
from gateway.upstream.wire import body_chunks, loads, open_stream, upstream_url

__all__ = ["UpstreamClient"]

M = TypeVar("M", bound=BaseModel)
logger = logging.getLogger("gateway.upstreams")
MAX_LOGGED_BODY_BYTES = 4096
MAX_LOGGED_BODY_CHARS = 1000


@dataclass(frozen=True, slots=True)
class _Call:
    """One upstream request, as it passes through retries, pacing, spans and the exchange."""

    method: str
    path: str
    params: Mapping[str, str | int]
    json_body: Any
    headers: Mapping[str, str] | None
    form: Mapping[str, Any] | None = None  # multipart/form-data fields (with ``files``)
    files: Mapping[str, tuple[str, bytes, str]] | None = None  # name -> (filename, content, content type)

    @property
    def credential(self) -> str | None:
        return (self.headers or {}).get("Authorization")


class UpstreamClient:
    """One upstream's HTTP client: an ``httpx.AsyncClient`` made in the lifespan and its config.

    A GET with a credential goes cache -> single-flight -> retries -> pacing -> concurrency -> HTTP;
    a write skips the cache and is never retried.
    """

    def __init__(
        self,
        config: UpstreamConfig,
        http: httpx.AsyncClient,
        *,
        concurrency: int,
        cache: UpstreamCache | None = None,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
        adaptive: bool = False,
    ) -> None:
        self.config = config
        self.name = config.name
        self.http = http
        self._origin = httpx.URL(config.base_url)
        self.slots = AdaptiveConcurrency(config.name, concurrency, adaptive=adaptive)
        self.cache = cache
        self.pacer = pacer
        self.retry = retry or RetryPolicy(attempts=1)
        self.stats: Counter[str] = Counter()
        self.observer: Callable[[str, str, str, float], None] | None = None  # (upstream, class, status, s)

    def cache_policy(self, path: str, params: Mapping[str, str | int]) -> CachePolicy | None:
        """How long a GET of this resource may be served from cache; None: never cached."""
        return None

    def endpoint_class(self, method: str, path: str) -> str:
        """A low-cardinality name for this call, for metrics and spans."""
        return "default"

    def cache_tags(self, path: str, params: Mapping[str, str | int], payload: Any) -> set[str]:
        """The resources a cached answer was built from, for webhook eviction."""
        return set()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        decode: Callable[[Any], Any] | None = None,
        form: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        """Send one request and return its JSON body, passed through ``decode`` when given (see
        ``one_of``/``list_of``), or raise an ``UpstreamError``. ``form`` and ``files`` send a
        multipart/form-data body instead of JSON."""
        call = _Call(method, path, dict(params or {}), json_body, headers, form, files)
        credential = call.credential

        async def send() -> Any:
            async with within_deadline(self.name):
                return await self.retry.run(lambda: self._attempt(call), idempotent=method in {"GET", "HEAD"})

        policy = self.cache_policy(path, call.params) if method == "GET" and credential and self.cache else None
        if self.cache is None or policy is None or credential is None:
            verdict = Cacheability.current()
            if verdict is not None:
                verdict.forbid("uncached read or write")  # the response cannot be stored either
            payload = await send()
            return decode(payload) if decode is not None else payload
        resource = f"{path}?{urlencode(sorted((k, str(v)) for k, v in call.params.items()))}"
        return await self.cache.read(
            CacheScope.of(self.name, credential),
            resource,
            policy,
            send,
            lambda payload: self.cache_tags(path, call.params, payload),
            decode,
        )

    async def _attempt(self, call: _Call) -> Any:
        """One try: wait for budget and a concurrency slot, then send."""
        if self.pacer is not None and call.credential is not None:
            await self.pacer.acquire(fingerprint(call.credential), call.method, call.path)
        async with self.slots:
            try:
                payload = await self._observed(call)
            except UpstreamRateLimited as exc:
                self.slots.throttled(exc.retry_after)
                if self.pacer is not None and call.credential is not None:
                    await self.pacer.throttled(fingerprint(call.credential), call.method, call.path, exc.retry_after)
                raise
        self.slots.succeeded()
        return payload

    async def _observed(self, call: _Call) -> Any:
        """One HTTP exchange inside a span, reported to the metrics observer."""
        endpoint_class = self.endpoint_class(call.method, call.path)
        started = time.perf_counter()
        status = "error"
        # no tracer provider installed (GATEWAY_OTEL unset): no span, whose no-op still cost a context switch
        traced = not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
        name = f"{self.name} {call.method} {endpoint_class}"
        with tracer.start_as_current_span(name) if traced else contextlib.nullcontext() as span:
            try:
                payload, status = await self._exchange(call)
                return payload
            except UpstreamError as exc:
                status = str(exc.status) if exc.status else exc.code.lower()
                raise
            finally:
                if span is not None:
                    span.set_attribute("http.response.status", status)
                if self.observer is not None:
                    self.observer(self.name, endpoint_class, status, time.perf_counter() - started)

    async def _exchange(self, call: _Call) -> tuple[Any, str]:
        """One HTTP exchange under the overall deadline, mapped to the error tree."""
        url = f"{self.config.base_url}{call.path}"  # for a multipart write; a call's URL is upstream_url's
        self.stats["calls"] += 1
        try:
            async with self._attempt_timeout():
                status, response_headers, body = await self._send(url, call)
        except TimeoutError:
            self.stats["timeout"] += 1
            raise UpstreamTimeout(
                f"{self.name}: no complete answer within {self.config.deadline_s:g} s.", upstream=self.name
            ) from None
        except httpx.TimeoutException as exc:
            if isinstance(exc.__cause__, aiohttp.ClientConnectorError):
                # httpx-aiohttp maps a refused connection to ConnectTimeout; it is an outage, not a timeout
                self.stats["unreachable"] += 1
                raise UpstreamUnavailable(
                    f"{self.name}: unreachable (connection refused).", upstream=self.name
                ) from None
            self.stats["timeout"] += 1
            raise UpstreamTimeout(f"{self.name}: timed out ({type(exc).__name__}).", upstream=self.name) from None
        except httpx.TransportError as exc:
            self.stats["unreachable"] += 1
            raise UpstreamUnavailable(f"{self.name}: unreachable ({type(exc).__name__}).", upstream=self.name) from None
        self.stats[f"status:{status}"] += 1
        payload = self._decode(body, status)
        if status >= 400 or status < 200:
            self._log_error_body(call, status, body)
            raise self._error(status, response_headers, payload)
        return payload, str(status)

    def _attempt_timeout(self) -> contextlib.AbstractAsyncContextManager[object]:
        """The attempt's own deadline (``deadline_s``), or none when the request's deadline falls first.

        Every call runs inside ``within_deadline``, which ends it at the request's deadline; an attempt
        timer due later can never fire first (when both are due in one loop pass the request's fires
        first and wins), so it is not set: one timer less in the loop's heap per call, ~4 us (by
        default 60 s per attempt against a 10 s request deadline).
        """
        deadline = current_deadline.get()
        if deadline is not None and asyncio.get_running_loop().time() + self.config.deadline_s > deadline.at:
            return contextlib.nullcontext()
        return asyncio.timeout(self.config.deadline_s)

    async def _send(self, url: str, call: _Call) -> tuple[int, httpx.Headers, bytes]:
        if call.files is not None:
            request = self.http.build_request(
                call.method, url, params=call.params, data=call.form, files=call.files, headers=call.headers
            )
            response = await self.http.send(request, stream=True)
        else:
            target = upstream_url(self._origin, call.path, call.params)  # not parsed again (gateway/upstream/wire.py)
            response = await open_stream(self.http, call.method, target, call.headers, call.json_body)
        try:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.config.max_response_bytes:
                raise self._too_large()
            chunks, size = [], 0
            async for chunk in body_chunks(response):
                size += len(chunk)
                if size > self.config.max_response_bytes:
                    raise self._too_large()
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)
        finally:
            await response.aclose()

    def _too_large(self) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"{self.name}: response larger than {self.config.max_response_bytes} bytes.", upstream=self.name
        )

    def _decode(self, body: bytes, status: int) -> Any:
        if not body:
            return None
        try:
            return loads(body)
        except ValueError:
            if status >= 500:
                return None  # an HTML error page from a proxy: the status says enough
            raise UpstreamBadResponse(
                f"{self.name}: the body is not valid JSON (HTTP {status}).", upstream=self.name, status=status
            ) from None

    def _log_error_body(self, call: _Call, status: int, body: bytes) -> None:
        """An error body is for operators, never for clients (and even here, redacted)."""
        if body and status != 429:
            level = logging.WARNING if status >= 500 else logging.INFO
            text = redact(body[:MAX_LOGGED_BODY_BYTES].decode("utf-8", "replace"), MAX_LOGGED_BODY_CHARS)
            logger.log(level, "%s %s %s answered HTTP %d: %s", self.name, call.method, call.path, status, text)

    def _error(self, status: int, headers: httpx.Headers, payload: Any) -> UpstreamError:
        if status == 429:
            return UpstreamRateLimited(
                f"{self.name}: throttled by the upstream.",
                upstream=self.name,
                retry_after=parse_retry_after(headers.get("retry-after")),
            )
        if 300 <= status < 400 or status < 200:
            return UpstreamBadResponse(f"{self.name}: unexpected HTTP {status}.", upstream=self.name, status=status)
        return self.error_from_body(status, headers, payload)

    def error_from_body(self, status: int, headers: httpx.Headers, payload: Any) -> UpstreamError:
        """Subclasses read their upstream's error body; the base maps the status alone."""
        return error_for_status(self.name, status)
