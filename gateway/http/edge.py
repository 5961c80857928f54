"""What the HTTP edge's middleware use, typed, opened with the app's runtime by the lifespan.

Starlette builds the middleware when the app is built, before the lifespan has opened anything, so
``create_app`` hands the front door and the observability layer the same ``EdgeState`` and the
lifespan fills it (``EdgeState.open``). A request then reads one attribute: no lookup through the
app, nothing typed ``Any``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.http.auth import Authenticator
from gateway.http.inbound import Quota
from gateway.http.persisted import PersistedDocuments
from gateway.observability import Metrics
from gateway.response_cache.store import ResponseCache

__all__ = ["Edge", "EdgeState"]


@dataclass(frozen=True, slots=True)
class Edge:
    authenticator: Authenticator
    inbound: Quota | None  # None: no inbound rate limit
    documents: PersistedDocuments
    response_cache: ResponseCache | None  # None: the response cache is off
    metrics: Metrics
    max_upload_bytes: int


class EdgeState:
    """The app's ``Edge`` once its lifespan has opened it; ``None`` before and after."""

    __slots__ = ("edge",)

    def __init__(self) -> None:
        self.edge: Edge | None = None

    def open(self, edge: Edge | None) -> None:
        self.edge = edge

    def require(self) -> Edge:
        edge = self.edge
        if edge is None:
            raise RuntimeError("the app's lifespan has not started: nothing is open yet")
        return edge
