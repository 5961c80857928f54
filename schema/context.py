"""The per-request GraphQL context: services, the caller's credential, loaders and design memo."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request

from gateway.errors import BadRequestError
from schema.design import DesignDocument
from schema.loaders import Loaders

if TYPE_CHECKING:
    from gateway.services import Services

__all__ = ["Context", "bearer_token"]


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


@dataclass
class Context:
    services: Services
    request: Request | None
    token: str | None
    loaders: Loaders
    designs: dict[int, asyncio.Task[DesignDocument]] = field(default_factory=dict)

    @classmethod
    def for_request(cls, services: Services, request: Request | None) -> Context:
        token = (bearer_token(request) if request is not None else None) or services.default_token
        loaders = Loaders(services.opensolar, services.arcadia, token)
        return cls(services=services, request=request, token=token, loaders=loaders)

    def org_id(self, given: str | None) -> int:
        if given is None:
            if self.services.default_org_id is None:
                raise BadRequestError("No org id: pass org(id: ...) or configure OPENSOLAR_ORG_ID.")
            return self.services.default_org_id
        return parse_id(given, "org id")


def parse_id(value: str, what: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise BadRequestError(f"Invalid {what}: {value[:40]!r} is not a positive integer id.", argument=what)
    return int(value)
