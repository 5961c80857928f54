"""How the simulated OpenSolar reads a request: the caller from its token, its quotas, its error bodies, pages.

``OpenSolarDialect`` is what ``pipeline.endpoint`` calls for every OpenSolar route; the helpers here read
path and query parameters the way Django REST Framework does. The token routes live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.sandbox.opensolar_views import Views
from gateway.sandbox.pipeline import HttpError, endpoint, query_int, sandbox_state
from gateway.sandbox.quotas import opensolar_quota
from gateway.sandbox.records import Org, Project
from gateway.sandbox.state import SandboxState

__all__ = [
    "Caller",
    "OpenSolarDialect",
    "fetch_token",
    "json_body",
    "opensolar_route",
    "owned",
    "page_of",
    "positive_param",
    "project_of",
    "token_auth",
    "views_of",
]

DEFAULT_PAGE_LIMIT = 20  # undocumented upstream; a Django sync client used 20
MAX_PAGE_LIMIT = 1000


class OrgOwned(Protocol):
    @property
    def org_id(self) -> int: ...


T = TypeVar("T", bound=OrgOwned)


@dataclass(frozen=True, slots=True)
class Caller:
    org: Org
    token: str


class OpenSolarDialect:
    def authenticate(self, request: Request, state: SandboxState) -> Caller:
        header = request.headers.get("authorization", "")
        if not header:
            raise HttpError(
                401,
                "Authentication credentials were not provided.",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        scheme, _, token = header.partition(" ")
        org = state.data.token_org(token.strip()) if scheme.lower() in {"bearer", "token"} else None
        if org is None:
            raise HttpError(401, "Invalid token.", headers={"WWW-Authenticate": 'Bearer realm="api"'})
        path_org = request.path_params.get("org_id")
        if path_org is not None and path_org != org.id:
            raise HttpError(403, "You do not have permission to perform this action.")
        return Caller(org, token.strip())

    def throttle(self, request: Request, state: SandboxState, caller: Caller) -> None:
        if not state.config.throttle:
            return
        quota = opensolar_quota(request.method, request.url.path)
        for scope, who, rate in (
            ("user", caller.token, quota.per_user),
            ("org", str(caller.org.id), quota.per_org),
        ):
            if rate is None:
                continue
            requests, period_s = rate
            if scope == "user":
                requests = state.config.plan_per_user.get(quota.name, requests)
            wait = state.throttle.check((scope, who, quota.name), requests, period_s)
            if wait is not None:
                raise HttpError(
                    429,
                    f"Request was throttled. Expected available in {wait} seconds.",
                    headers={"Retry-After": str(wait)},
                )

    def render_error(self, error: HttpError) -> Response:
        if error.body is not None:
            body = error.body
        elif error.field:
            body = {error.field: [error.message]}
        else:
            body = {"detail": error.message}
        return JSONResponse(body, status_code=error.status, headers=error.headers)


def views_of(request: Request) -> Views:
    return Views(sandbox_state(request).data, str(request.base_url))


def positive_param(request: Request, name: str, default: int) -> int:
    value = query_int(request, name, default, HttpError(404, "Invalid page."))
    if value < 1:
        raise HttpError(404, "Invalid page.")
    return value


def owned(items: Mapping[int, T], request: Request, key: str, caller: Caller) -> T:
    """The org's item named by a path parameter; another org's item is simply not found."""
    item = items.get(request.path_params[key])
    if item is None or item.org_id != caller.org.id:
        raise HttpError(404, "Not found.")
    return item


def page_of(request: Request, items: list[Any]) -> list[Any]:
    page = positive_param(request, "page", 1)
    limit = min(positive_param(request, "limit", DEFAULT_PAGE_LIMIT), MAX_PAGE_LIMIT)
    return items[(page - 1) * limit : page * limit]


def project_of(request: Request, caller: Caller) -> Project:
    return owned(sandbox_state(request).data.projects, request, "project_id", caller)


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HttpError(400, "JSON parse error.") from None


async def token_auth(request: Request) -> Response:
    state = sandbox_state(request)
    state.counts["opensolar.token_auth"] += 1
    try:
        payload = await request.json()
    except ValueError:
        payload = None
    org = None
    if isinstance(payload, dict) and payload.get("password") == "sandbox":
        org = next((o for o in state.data.orgs.values() if f"pro@{o.id}.sandbox" == payload.get("username")), None)
    if org is None:
        return JSONResponse({"non_field_errors": ["Unable to log in with provided credentials."]}, status_code=400)
    return JSONResponse(
        {
            "token": org.token,
            "org_id": org.id,
            "user": {"id": 10, "email": f"pro@{org.id}.sandbox", "is_machine_user": True},
        }
    )


async def fetch_token(request: Request, caller: Caller) -> Response:
    """``GET /api/fetch_token/``: the token's own user and org (a credential test; not org-scoped)."""
    return JSONResponse(
        {
            "token": caller.token,
            "org_id": caller.org.id,
            "user": {"id": 10, "email": f"pro@{caller.org.id}.sandbox", "is_machine_user": True},
        }
    )


def opensolar_route(path: str, name: str, handler: Any, methods: tuple[str, ...] = ("GET",)) -> Route:
    """``handler`` behind the pipeline (auth, throttles, faults), counted as ``opensolar.<name>``.

    The dialect holds no state, so every route may have its own.
    """
    return Route(path, endpoint(f"opensolar.{name}", OpenSolarDialect(), handler), methods=list(methods), name=name)
