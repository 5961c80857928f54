"""The per-request GraphQL context: services, the caller's credential, loaders and design memo."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from gateway.deadline import start_deadline
from gateway.errors import BadRequestError
from gateway.upstream.opensolar.design_codec import DesignDocument
from schema.loaders import Loaders
from schema.relay.global_ids import org_of, parse_upstream_id, upstream_id

if TYPE_CHECKING:
    from gateway.http.auth import Principal
    from gateway.services import Services

__all__ = ["Context", "parse_id"]


@dataclass
class Context:
    services: Services
    request: Request | None
    token: str | None
    loaders: Loaders
    designs: dict[int, asyncio.Task[DesignDocument]] = field(default_factory=dict)
    scans: list[dict[str, Any]] = field(default_factory=list)  # gateway-filtered lists, for extensions.scans

    principal: Principal | None = None
    connection_params: dict[str, Any] | None = None  # set by strawberry on websocket connection_init

    @classmethod
    def for_request(cls, services: Services, request: Request | None, principal: Principal | None) -> Context:
        token = principal.opensolar_token if principal is not None else None
        if request is not None:  # an HTTP request (not a websocket connection): bounded in time
            start_deadline(services.settings.request_deadline_s)
        loaders = Loaders(services.opensolar, services.arcadia, token)
        return cls(services=services, request=request, token=token, loaders=loaders, principal=principal)

    def authenticate(self, principal: Principal) -> None:
        """A websocket's credential, known only after connection_init."""
        self.principal = principal
        self.token = principal.opensolar_token
        self.loaders = Loaders(self.services.opensolar, self.services.arcadia, self.token)

    def org_id(self, given: str | None, implied_by: str | None = None) -> int:
        """The org in scope: ``given`` (an integer or an Org's global id), else the org of the global id
        ``implied_by`` (a mutation's id argument), else OPENSOLAR_ORG_ID."""
        if given is None:
            implied = org_of(implied_by)
            if implied is not None:
                return implied
            if self.services.default_org_id is None:
                raise BadRequestError("No org id: pass org(id: ...) or configure OPENSOLAR_ORG_ID.")
            return self.services.default_org_id
        return parse_id(given, "org id", "Org")


def parse_id(value: str, what: str, kind: str | None = None, org: int | None = None) -> int:
    """An upstream integer id; with ``kind`` (a Node type) also that type's global id, of ``org`` if given."""
    if kind is None:
        return parse_upstream_id(value, what)
    return upstream_id(value, what, kind, org)
