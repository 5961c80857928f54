"""The simulated OpenSolar REST API (Django REST Framework conventions, quirks included)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.sandbox.data import Org, Plan, Project, Webhook
from gateway.sandbox.designs import build_design, encode_design
from gateway.sandbox.list_queries import query_contacts, query_projects
from gateway.sandbox.opensolar_views import Views
from gateway.sandbox.pipeline import HttpError, endpoint, json_response, query_int, sandbox_state
from gateway.sandbox.proposals import build_proposal
from gateway.sandbox.quotas import opensolar_quota
from gateway.sandbox.state import SandboxState
from gateway.sandbox.team import FILE_TAGS

__all__ = ["opensolar_routes"]

DEFAULT_PAGE_LIMIT = 20  # undocumented upstream; a Django sync client used 20
MAX_PAGE_LIMIT = 1000
PRIVATE_FILE_ORDERINGS = {"created_date", "modified_date", "title", "status", "filesize"}


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


def _views(request: Request) -> Views:
    return Views(sandbox_state(request).data, str(request.base_url))


def _positive(request: Request, name: str, default: int) -> int:
    value = query_int(request, name, default, HttpError(404, "Invalid page."))
    if value < 1:
        raise HttpError(404, "Invalid page.")
    return value


def _owned(items: Mapping[int, T], request: Request, key: str, caller: Caller) -> T:
    """The org's item named by a path parameter; another org's item is simply not found."""
    item = items.get(request.path_params[key])
    if item is None or item.org_id != caller.org.id:
        raise HttpError(404, "Not found.")
    return item


def _page(request: Request, items: list[Any]) -> list[Any]:
    page = _positive(request, "page", 1)
    limit = min(_positive(request, "limit", DEFAULT_PAGE_LIMIT), MAX_PAGE_LIMIT)
    return items[(page - 1) * limit : page * limit]


def _project(request: Request, caller: Caller) -> Project:
    return _owned(sandbox_state(request).data.projects, request, "project_id", caller)


async def org_detail(request: Request, caller: Caller) -> Response:
    return json_response(_views(request).org(caller.org))


async def contacts_list(request: Request, caller: Caller) -> Response:
    views = _views(request)
    contacts = [views.data.contacts[cid] for cid in caller.org.contact_ids]
    contacts = query_contacts(contacts, dict(request.query_params), caller.org.id)
    return json_response([views.contact(c) for c in _page(request, contacts)])


async def contact_detail(request: Request, caller: Caller) -> Response:
    views = _views(request)
    return json_response(views.contact(_owned(views.data.contacts, request, "contact_id", caller)))


async def projects_list(request: Request, caller: Caller) -> Response:
    views = _views(request)
    projects = [views.data.projects[pid] for pid in caller.org.project_ids]
    projects = query_projects(views.data, projects, dict(request.query_params))
    return json_response([views.project_row(p) for p in _page(request, projects)])


def design_string(state: SandboxState, project: Project) -> str | None:
    if project.id in state.design_overrides:
        return state.design_overrides[project.id]
    if project.id not in state.design_cache:
        state.design_cache[project.id] = encode_design(build_design(state.data, project))
    return state.design_cache[project.id]


async def project_detail(request: Request, caller: Caller) -> Response:
    project = _project(request, caller)
    state = sandbox_state(request)
    # API Access orgs get the field as null ("omitted or null": both shapes were seen live).
    design = design_string(state, project) if caller.org.plan is Plan.RAW_DATA else None
    return json_response(_views(request).project_detail(project, design))


def _require_list_fieldset(request: Request) -> None:
    if request.query_params.get("fieldset") != "list":
        raise HttpError(400, "This query parameter is required and must be 'list'.", field="fieldset")


async def systems_list(request: Request, caller: Caller) -> Response:
    _require_list_fieldset(request)
    views = _views(request)
    systems = [s for s in views.data.systems.values() if s.org_id == caller.org.id]
    if (project := request.query_params.get("project")) is not None:
        systems = [s for s in systems if str(s.project_id) == project.rstrip("/").rsplit("/", 1)[-1]]
    return json_response([views.system(s) for s in _page(request, systems)])


async def system_detail(request: Request, caller: Caller) -> Response:
    _require_list_fieldset(request)
    views = _views(request)
    return json_response(views.system(_owned(views.data.systems, request, "system_id", caller)))


async def system_details(request: Request, caller: Caller) -> Response:
    project = _project(request, caller)
    views = _views(request)
    include, exclude = request.query_params.get("include_parts"), request.query_params.get("exclude_parts")
    if include and exclude:
        raise HttpError(400, "include_parts and exclude_parts cannot be combined.", field="non_field_errors")
    parts = {p.strip() for p in (include or "").split(",") if p.strip()} if include else None
    system_ids = project.system_ids
    if request.query_params.get("limit_to_sold", "").lower() in {"1", "true", "yes"}:
        system_ids = [sid for sid in system_ids if sid == project.sold_system_id]
    systems = [views.data.systems[sid] for sid in system_ids]
    return json_response({"systems": [views.system_details(s, caller.org.plan, parts) for s in systems]})


async def private_files_list(request: Request, caller: Caller) -> Response:
    views = _views(request)
    files = [views.data.files[fid] for fid in caller.org.file_ids]
    query = request.query_params
    if (project := query.get("project")) is not None:
        files = [f for f in files if str(f.project_id) == project.rstrip("/").rsplit("/", 1)[-1]]
    if (tag := query.get("file_tags")) is not None:
        files = [f for f in files if tag in {FILE_TAGS.get(t, f.tag_title) for t in f.tag_ids or [f.tag_id]}]
    if (excluded := query.get("file_tags_exclude")) is not None:
        files = [f for f in files if excluded not in {FILE_TAGS.get(t, f.tag_title) for t in f.tag_ids or [f.tag_id]}]
    if (user := query.get("user_id")) is not None:
        files = [f for f in files if user == "1"]  # every sandbox file was uploaded by global user 1
    if (search := query.get("search")) is not None:
        files = [f for f in files if search.lower() in f.title.lower()]
    ordering = query.get("ordering", "-modified_date")
    key = ordering.lstrip("-")
    if key not in PRIVATE_FILE_ORDERINGS:
        key, ordering = "modified_date", "-modified_date"
    attr = {"created_date": "created", "modified_date": "created", "status": "title"}.get(key, key)
    files = sorted(files, key=lambda f: (getattr(f, attr), f.id), reverse=ordering.startswith("-"))
    return json_response([views.private_file(f) for f in _page(request, files)])


async def private_file_detail(request: Request, caller: Caller) -> Response:
    views = _views(request)
    return json_response(views.private_file(_owned(views.data.files, request, "file_id", caller)))


async def user_logins(request: Request, caller: Caller) -> Response:
    if caller.org.plan is not Plan.RAW_DATA:
        raise HttpError(402, "Proposal data requires the Raw Data API Access plan.")
    raw = request.query_params.get("project_ids")
    if not raw:
        raise HttpError(400, "This query parameter is required.", field="project_ids")
    try:
        project = sandbox_state(request).data.projects.get(int(raw))
    except ValueError:
        raise HttpError(400, "A valid integer is required.", field="project_ids") from None
    if project is None or project.org_id != caller.org.id:
        raise HttpError(403, "You do not have permission to perform this action.")
    compress = request.query_params.get("compress_data", "").lower() in {"1", "true", "y"}
    variant = sandbox_state(request).config.variant_shapes
    return json_response(build_proposal(_views(request), project, compress=compress, variant=variant))


async def webhooks_list(request: Request, caller: Caller) -> Response:
    views = _views(request)
    hooks = [views.data.webhooks[wid] for wid in caller.org.webhook_ids]
    return json_response([views.webhook(w) for w in _page(request, hooks)])


def _validate_webhook(payload: Any, *, partial: bool) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise HttpError(400, "Invalid data. Expected a dictionary.", field="non_field_errors")
    required = set() if partial else {"endpoint", "enabled", "debug"}
    for name in sorted(required - payload.keys()):
        raise HttpError(400, "This field is required.", field=name)
    if "endpoint" in payload and not (
        isinstance(payload["endpoint"], str) and payload["endpoint"].startswith(("http://", "https://"))
    ):
        raise HttpError(400, "Enter a valid URL.", field="endpoint")
    for name in ("enabled", "debug"):
        if name in payload and not isinstance(payload[name], bool):
            raise HttpError(400, "Must be a valid boolean.", field=name)
    for name in ("trigger_fields", "payload_fields"):
        if name in payload and not (isinstance(payload[name], list) and all(isinstance(v, str) for v in payload[name])):
            raise HttpError(400, "Value must be valid JSON.", field=name)
    if "headers" in payload:
        try:
            headers = json.loads(payload["headers"]) if isinstance(payload["headers"], str) else None
        except ValueError:
            headers = None
        if not isinstance(headers, dict):
            raise HttpError(400, "Value must be valid JSON.", field="headers")
    return payload


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HttpError(400, "JSON parse error.") from None


async def webhooks_create(request: Request, caller: Caller) -> Response:
    payload = _validate_webhook(await _json_body(request), partial=False)
    data = sandbox_state(request).data
    webhook = Webhook(
        data.next_id("webhook"),
        caller.org.id,
        payload["endpoint"],
        payload["enabled"],
        payload["debug"],
        list(payload.get("trigger_fields") or ["project.*", "contact.*"]),
        list(payload.get("payload_fields") or []),
        payload.get("headers") or "{}",
    )
    data.webhooks[webhook.id] = webhook
    caller.org.webhook_ids.append(webhook.id)
    return json_response(_views(request).webhook(webhook), status=201)


def _webhook(request: Request, caller: Caller) -> Webhook:
    return _owned(sandbox_state(request).data.webhooks, request, "webhook_id", caller)


async def webhook_detail(request: Request, caller: Caller) -> Response:
    return json_response(_views(request).webhook(_webhook(request, caller)))


async def webhook_update(request: Request, caller: Caller) -> Response:
    webhook = _webhook(request, caller)
    if request.method == "DELETE":  # no DELETE is documented; clients disable with PATCH
        raise HttpError(405, 'Method "DELETE" not allowed.', headers={"Allow": "GET, PUT, PATCH, HEAD, OPTIONS"})
    payload = _validate_webhook(await _json_body(request), partial=request.method == "PATCH")
    for name in ("endpoint", "enabled", "debug", "trigger_fields", "payload_fields", "headers"):
        if name in payload:
            setattr(webhook, name, payload[name])
    return json_response(_views(request).webhook(webhook))


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


def opensolar_routes() -> list[Route]:
    dialect = OpenSolarDialect()
    org = "/api/orgs/{org_id:int}"

    def route(path: str, name: str, handler: Any, methods: tuple[str, ...] = ("GET",)) -> Route:
        return Route(path, endpoint(f"opensolar.{name}", dialect, handler), methods=list(methods), name=name)

    return [
        Route("/api-token-auth/", token_auth, methods=["POST"]),
        route(f"{org}/", "org", org_detail),
        route(f"{org}/contacts/", "contacts", contacts_list),
        route(f"{org}/contacts/{{contact_id:int}}/", "contact", contact_detail),
        route(f"{org}/projects/", "projects", projects_list),
        route(f"{org}/projects/{{project_id:int}}/", "project_detail", project_detail),
        route(f"{org}/projects/{{project_id:int}}/systems/details/", "system_details", system_details),
        route(f"{org}/systems/", "systems", systems_list),
        route(f"{org}/systems/{{system_id:int}}/", "system", system_detail),
        route(f"{org}/private_files/", "private_files", private_files_list),
        route(f"{org}/private_files/{{file_id:int}}/", "private_file", private_file_detail),
        route(f"{org}/webhooks/", "webhooks", webhooks_list),
        route(f"{org}/webhooks/", "webhook_create", webhooks_create, ("POST",)),
        route(f"{org}/webhooks/{{webhook_id:int}}/", "webhook", webhook_detail),
        route(
            f"{org}/webhooks/{{webhook_id:int}}/",
            "webhook_update",
            webhook_update,
            ("PATCH", "PUT", "DELETE"),
        ),
        route("/api/user_logins/", "proposal", user_logins),
        route("/api/fetch_token/", "fetch_token", fetch_token),
    ]
