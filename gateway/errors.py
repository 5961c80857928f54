"""The gateway's exception tree and the stable GraphQL error codes it maps to.

Every failure a client can see is one of these; httpx exceptions never leave ``gateway.upstreams``.
Each class carries a stable ``code`` that lands in GraphQL ``extensions.code`` (graphql-core copies
an original error's ``extensions`` attribute onto the located ``GraphQLError``).

```
* GatewayError
  x BadRequestError                 BAD_REQUEST           (the caller's arguments; also upstream 400)
  x UnauthenticatedError            UNAUTHENTICATED       (no usable credential; upstream 401)
  x DesignError
    + DesignCorruptError            DESIGN_CORRUPT        (invalid base64, gzip or JSON)
    + DesignTooLargeError           DESIGN_TOO_LARGE      (decompressed size over the cap)
  x UpstreamError                   (carries ``upstream`` and the HTTP ``status`` when there was one)
    + UpstreamUnauthenticated       UNAUTHENTICATED       (401)
    + PlanRequiredError             PLAN_REQUIRED         (402: needs OpenSolar Raw Data API Access)
    + ForbiddenError                FORBIDDEN             (403)
    + NotFoundError                 NOT_FOUND             (404)
    + UpstreamBadRequest            BAD_REQUEST           (400, with the offending fields)
    + UpstreamRateLimited           THROTTLED             (429, with ``retry_after`` seconds)
    + UpstreamUnavailable           UPSTREAM_UNAVAILABLE  (5xx, connection refused, other transport)
    + UpstreamTimeout               UPSTREAM_TIMEOUT      (connect, read, call or request deadline; 504)
    + UpstreamBadResponse           UPSTREAM_BAD_RESPONSE (malformed body, or a shape we cannot read)
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BadRequestError",
    "DesignCorruptError",
    "DesignError",
    "DesignTooLargeError",
    "ForbiddenError",
    "GatewayError",
    "NotFoundError",
    "PlanRequiredError",
    "UnauthenticatedError",
    "UpstreamBadRequest",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamRateLimited",
    "UpstreamTimeout",
    "UpstreamUnauthenticated",
    "UpstreamUnavailable",
    "error_for_status",
    "field_name",
    "redact",
    "validation_fields",
]


class GatewayError(Exception):
    """Base of every error the gateway reports to a GraphQL client."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **{k: v for k, v in self.details.items() if v is not None}}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class BadRequestError(GatewayError):
    code = "BAD_REQUEST"


class UnauthenticatedError(GatewayError):
    code = "UNAUTHENTICATED"


class DesignError(GatewayError):
    pass


class DesignCorruptError(DesignError):
    code = "DESIGN_CORRUPT"


class DesignTooLargeError(DesignError):
    code = "DESIGN_TOO_LARGE"


class UpstreamError(GatewayError):
    code = "UPSTREAM_ERROR"

    def __init__(self, message: str, *, upstream: str, status: int | None = None, **details: Any) -> None:
        super().__init__(message, upstream=upstream, status=status, **details)
        self.upstream = upstream
        self.status = status


class UpstreamUnauthenticated(UpstreamError):
    code = "UNAUTHENTICATED"


class PlanRequiredError(UpstreamError):
    code = "PLAN_REQUIRED"


class ForbiddenError(UpstreamError):
    code = "FORBIDDEN"


class NotFoundError(UpstreamError):
    code = "NOT_FOUND"


class UpstreamBadRequest(UpstreamError):
    code = "BAD_REQUEST"


class UpstreamRateLimited(UpstreamError):
    code = "THROTTLED"

    def __init__(self, message: str, *, upstream: str, retry_after: float | None, **details: Any) -> None:
        super().__init__(message, upstream=upstream, status=429, retryAfter=retry_after, **details)
        self.retry_after = retry_after


class UpstreamUnavailable(UpstreamError):
    code = "UPSTREAM_UNAVAILABLE"


class UpstreamTimeout(UpstreamError):
    code = "UPSTREAM_TIMEOUT"


class UpstreamBadResponse(UpstreamError):
    code = "UPSTREAM_BAD_RESPONSE"


_BY_STATUS: Mapping[int, type[UpstreamError]] = {
    400: UpstreamBadRequest,
    401: UpstreamUnauthenticated,
    402: PlanRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    504: UpstreamTimeout,
}

_MESSAGES: Mapping[int, str] = {
    400: "The upstream rejected the request as invalid.",
    401: "The upstream credential is missing, invalid or expired (OpenSolar tokens expire after 7 days).",
    402: "This needs OpenSolar's Raw Data API Access plan.",
    403: "Not permitted for this credential.",
    404: "Not found.",
    504: "The upstream timed out (maximum duration exceeded).",
}


def error_for_status(upstream: str, status: int, **details: Any) -> UpstreamError:
    """The error for a non-success upstream status other than 429 (which needs ``retry_after``)."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = UpstreamUnavailable if status >= 500 else UpstreamBadRequest
    message = _MESSAGES.get(status, f"The upstream answered HTTP {status}.")
    return cls(f"{upstream}: {message}", upstream=upstream, status=status, **details)


# An upstream's error body is not ours to show: it may hold database URLs, tracebacks or the
# caller's own token echoed back (issue 10, row 8). Only a 400's field names and messages reach a
# client, each through ``redact`` and length caps; the rest goes to the log, redacted too.
MAX_FIELDS = 20
MAX_MESSAGES_PER_FIELD = 3
MAX_FIELD_NAME_CHARS = 64
MAX_MESSAGE_CHARS = 200
REDACTED = "[redacted]"
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-\[\]]*$")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S*")
_USERINFO = re.compile(r"\S+:\S*@\S+")  # user:password@host without a scheme
_SECRET_WORD = re.compile(
    r"(?i)\b(bearer|basic|token\w*|password\w*|passwd|pwd|secret\w*|api[_-]?key\w*|app[_-]?key|authorization|"
    r"credential\w*|dsn|session\w*)\b([\"']?\s*[:=]?\s*)(\S+)"
)
_OPAQUE = re.compile(r"[A-Za-z0-9_\-+/=.]{20,}")  # keys, tokens, hashes, signed URLs' parts
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def redact(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` without anything credential-like (URLs, ``password=...``, bearer tokens, long opaque
    strings, a traceback), on one line and at most ``limit`` characters."""
    text = text.split("Traceback (most recent call last)", 1)[0]
    text = _CONTROL.sub(" ", text)
    text = _URL.sub(REDACTED, text)
    text = _USERINFO.sub(REDACTED, text)
    text = _SECRET_WORD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _OPAQUE.sub(REDACTED, text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def validation_fields(items: Mapping[str, Any]) -> dict[str, list[str]] | None:
    """A 400's ``{field: [message, ...]}``, made safe to show: plain field names, redacted and capped
    messages, a bounded number of each; None when nothing is left."""
    fields: dict[str, list[str]] = {}
    for name, raw in items.items():
        if len(fields) >= MAX_FIELDS:
            break
        if not isinstance(name, str) or len(name) > MAX_FIELD_NAME_CHARS or not _FIELD_NAME.match(name):
            continue
        if _SECRET_WORD.match(f"{name} x"):
            fields[name] = ["invalid"]  # a credential's field: its messages may echo the value
            continue
        messages = raw if isinstance(raw, list) else [raw]
        shown = [redact(str(m)) for m in messages[:MAX_MESSAGES_PER_FIELD] if isinstance(m, str | int | float)]
        fields[name] = [m for m in shown if m] or ["invalid"]
    return fields or None


def field_name(value: Any) -> str | None:
    """A field name an upstream reported, if it is a plain identifier (else None: not shown)."""
    if isinstance(value, str) and len(value) <= MAX_FIELD_NAME_CHARS and _FIELD_NAME.match(value):
        return value
    return None
