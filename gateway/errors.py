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
    + UpstreamTimeout               UPSTREAM_TIMEOUT      (connect, read or overall deadline; also 504)
    + UpstreamBadResponse           UPSTREAM_BAD_RESPONSE (malformed body, or a shape we cannot read)
```
"""

from __future__ import annotations

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
