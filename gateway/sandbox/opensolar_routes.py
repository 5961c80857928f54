"""The simulated OpenSolar REST API (Django REST Framework conventions, quirks included)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.sandbox.designs import build_design, encode_design
from gateway.sandbox.list_queries import query_contacts, query_projects
from gateway.sandbox.opensolar_dialect import (
    Caller,
    fetch_token,
    opensolar_route,
    owned,
    page_of,
    project_of,
    token_auth,
    views_of,
)
from gateway.sandbox.pipeline import HttpError, json_response, sandbox_state
from gateway.sandbox.proposals import build_proposal
from gateway.sandbox.records import Plan, Project
from gateway.sandbox.state import SandboxState
from gateway.sandbox.team import FILE_TAGS
from gateway.sandbox.webhook_routes import webhook_detail, webhook_update, webhooks_create, webhooks_list

__all__ = ["opensolar_routes"]

PRIVATE_FILE_ORDERINGS = {"created_date", "modified_date", "title", "status", "filesize"}


async def org_detail(request: Request, caller: Caller) -> Response:
    return json_response(views_of(request).org(caller.org))


async def contacts_list(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    contacts = [views.data.contacts[cid] for cid in caller.org.contact_ids]
    contacts = query_contacts(contacts, dict(request.query_params), caller.org.id)
    return json_response([views.contact(c) for c in page_of(request, contacts)])


async def contact_detail(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    return json_response(views.contact(owned(views.data.contacts, request, "contact_id", caller)))


async def projects_list(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    projects = [views.data.projects[pid] for pid in caller.org.project_ids]
    projects = query_projects(views.data, projects, dict(request.query_params))
    return json_response([views.project_row(p) for p in page_of(request, projects)])


def design_string(state: SandboxState, project: Project) -> str | None:
    if project.id in state.design_overrides:
        return state.design_overrides[project.id]
    if project.id not in state.design_cache:
        state.design_cache[project.id] = encode_design(build_design(state.data, project))
    return state.design_cache[project.id]


async def project_detail(request: Request, caller: Caller) -> Response:
    project = project_of(request, caller)
    state = sandbox_state(request)
    # API Access orgs get the field as null ("omitted or null": both shapes were seen live).
    design = design_string(state, project) if caller.org.plan is Plan.RAW_DATA else None
    return json_response(views_of(request).project_detail(project, design))


def _require_list_fieldset(request: Request) -> None:
    if request.query_params.get("fieldset") != "list":
        raise HttpError(400, "This query parameter is required and must be 'list'.", field="fieldset")


async def systems_list(request: Request, caller: Caller) -> Response:
    _require_list_fieldset(request)
    views = views_of(request)
    systems = [s for s in views.data.systems.values() if s.org_id == caller.org.id]
    if (project := request.query_params.get("project")) is not None:
        systems = [s for s in systems if str(s.project_id) == project.rstrip("/").rsplit("/", 1)[-1]]
    return json_response([views.system(s) for s in page_of(request, systems)])


async def system_detail(request: Request, caller: Caller) -> Response:
    _require_list_fieldset(request)
    views = views_of(request)
    return json_response(views.system(owned(views.data.systems, request, "system_id", caller)))


async def system_details(request: Request, caller: Caller) -> Response:
    project = project_of(request, caller)
    views = views_of(request)
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
    views = views_of(request)
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
    return json_response([views.private_file(f) for f in page_of(request, files)])


async def private_file_detail(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    return json_response(views.private_file(owned(views.data.files, request, "file_id", caller)))


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
    return json_response(build_proposal(views_of(request), project, compress=compress, variant=variant))


def opensolar_routes() -> list[Route]:
    org = "/api/orgs/{org_id:int}"
    return [
        Route("/api-token-auth/", token_auth, methods=["POST"]),
        opensolar_route(f"{org}/", "org", org_detail),
        opensolar_route(f"{org}/contacts/", "contacts", contacts_list),
        opensolar_route(f"{org}/contacts/{{contact_id:int}}/", "contact", contact_detail),
        opensolar_route(f"{org}/projects/", "projects", projects_list),
        opensolar_route(f"{org}/projects/{{project_id:int}}/", "project_detail", project_detail),
        opensolar_route(f"{org}/projects/{{project_id:int}}/systems/details/", "system_details", system_details),
        opensolar_route(f"{org}/systems/", "systems", systems_list),
        opensolar_route(f"{org}/systems/{{system_id:int}}/", "system", system_detail),
        opensolar_route(f"{org}/private_files/", "private_files", private_files_list),
        opensolar_route(f"{org}/private_files/{{file_id:int}}/", "private_file", private_file_detail),
        opensolar_route(f"{org}/webhooks/", "webhooks", webhooks_list),
        opensolar_route(f"{org}/webhooks/", "webhook_create", webhooks_create, ("POST",)),
        opensolar_route(f"{org}/webhooks/{{webhook_id:int}}/", "webhook", webhook_detail),
        opensolar_route(
            f"{org}/webhooks/{{webhook_id:int}}/",
            "webhook_update",
            webhook_update,
            ("PATCH", "PUT", "DELETE"),
        ),
        opensolar_route("/api/user_logins/", "proposal", user_logins),
        opensolar_route("/api/fetch_token/", "fetch_token", fetch_token),
    ]
