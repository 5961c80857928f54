"""A refusal at the front door: an HTTP status, a stable ``extensions.code`` and a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["Rejection"]


@dataclass(frozen=True, slots=True)
class Rejection:
    status: int
    code: str
    message: str
    extensions: dict[str, Any] = field(default_factory=dict)  # more than the code, e.g. retryAfter
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code, **self.extensions}}]}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers or None)
