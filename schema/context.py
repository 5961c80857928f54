"""The per-request GraphQL context: what resolvers use, never the runtime container.

The upstream clients (and this request's loaders over them), the design codec, the change feed
(evict after a write, hear the org's changes), this gateway's webhook receiver, the caller's
credential, and the front door's pieces a websocket is checked with after ``connection_init``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from gateway.deadline import start_deadline
from gateway.errors import BadRequestError
from gateway.upstream.opensolar.design_codec import DesignDocument
from schema.loaders import Loaders
from schema.org_existence import OrgCheck
from schema.relay.global_ids import org_of, parse_upstream_id, upstream_id

if TYPE_CHECKING:
    from gateway.configs import WebhooksConfig
    from gateway.http.auth import Principal
    from gateway.observability import Metrics
    from gateway.runtime import ChangeFeed, FrontDoor, Runtime
    from gateway.upstream.arcadia.client import ArcadiaClient
    from gateway.upstream.opensolar.client import OpenSolarClient
    from gateway.upstream.opensolar.design_codec import DesignCodec

__all__ = ["Context", "parse_id"]


@dataclass
class Context:
    opensolar: OpenSolarClient
    arcadia: ArcadiaClient
    design_codec: DesignCodec
    changes: ChangeFeed
    receiver: WebhooksConfig
    front_door: FrontDoor
    metrics: Metrics  # per operation (schema/telemetry.py)
    default_org_id: int | None
    max_upload_bytes: int
    request_deadline_s: float  # GATEWAY_REQUEST_DEADLINE_S: for HTTP here, per operation over a socket
    request: Request | None
    token: str | None
    loaders: Loaders
    designs: dict[int, asyncio.Task[DesignDocument]] = field(default_factory=dict)
    scans: list[dict[str, Any]] = field(default_factory=list)  # gateway-filtered lists, for extensions.scans
    org_checks: list[OrgCheck] = field(default_factory=list)  # decided after execution (schema/org_existence.py)

    principal: Principal | None = None
    connection_params: dict[str, Any] | None = None  # set by strawberry on websocket connection_init

    @classmethod
    def for_request(cls, runtime: Runtime, request: Request | None, principal: Principal | None) -> Context:
        settings, upstreams = runtime.settings, runtime.upstreams
        token = principal.opensolar_token if principal is not None else None
        if request is not None:  # an HTTP request (not a websocket connection): bounded in time
            start_deadline(settings.request_deadline_s)
        return cls(
            opensolar=upstreams.opensolar,
            arcadia=upstreams.arcadia,
            design_codec=upstreams.designs,
            changes=runtime.changes,
            receiver=settings.webhooks,
            front_door=runtime.front_door,
            metrics=runtime.metrics,
            default_org_id=upstreams.default_org_id,
            max_upload_bytes=settings.max_upload_bytes,
            request_deadline_s=settings.request_deadline_s,
            request=request,
            token=token,
            loaders=Loaders(upstreams.opensolar, upstreams.arcadia, token),
            principal=principal,
        )

    def authenticate(self, principal: Principal) -> None:
        """A websocket's credential, known only after connection_init."""
        self.principal = principal
        self.token = principal.opensolar_token
        self.loaders = Loaders(self.opensolar, self.arcadia, self.token)

    def org_id(self, given: str | None, implied_by: str | None = None) -> int:
        """The org in scope: ``given`` (an integer or an Org's global id), else the org of the global id
        ``implied_by`` (a mutation's id argument), else OPENSOLAR_ORG_ID."""
        if given is None:
            implied = org_of(implied_by)
            if implied is not None:
                return implied
            if self.default_org_id is None:
                raise BadRequestError("No org id: pass org(id: ...) or configure OPENSOLAR_ORG_ID.")
            return self.default_org_id
        return parse_id(given, "org id", "Org")


def parse_id(value: str, what: str, kind: str | None = None, org: int | None = None) -> int:
    """An upstream integer id; with ``kind`` (a Node type) also that type's global id, of ``org`` if given."""
    if kind is None:
        return parse_upstream_id(value, what)
    return upstream_id(value, what, kind, org)
