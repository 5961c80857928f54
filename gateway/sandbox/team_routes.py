"""The simulated roles, workflows, events and webhook observability routes.

Roles (``fieldset``, ``page``, ``limit``, ``ordering`` on id or is_admin), workflows (``is_default``,
``is_archived``; PUT replaces the whole entity, as the docs say), events at the org level
(``/projects/:id/events/`` is a 404, checked live), and webhook process logs, where a page past the end
is a documented HTTP 500.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway.sandbox.opensolar_dialect import (
    Caller,
    json_body,
    opensolar_route,
    owned,
    page_of,
    positive_param,
    views_of,
)
from gateway.sandbox.pipeline import HttpError, json_response, sandbox_state
from gateway.sandbox.team import Stage, WorkflowDef
from gateway.sandbox.team_views import event_data, role_view, workflow_view

__all__ = ["team_routes"]

ROLE_ORDERINGS = {"id", "-id", "is_admin", "-is_admin"}


async def roles_list(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    roles = [views.data.roles[rid] for rid in caller.org.role_ids]
    ordering = request.query_params.get("ordering", "")
    if ordering in ROLE_ORDERINGS:
        field = ordering.lstrip("-")
        roles.sort(key=lambda r: (getattr(r, field), r.id), reverse=ordering.startswith("-"))
    return json_response([role_view(views, r) for r in page_of(request, roles)])


async def role_detail(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    return json_response(role_view(views, owned(views.data.roles, request, "role_id", caller)))


def _flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    return None if raw is None else raw.lower() in {"1", "true", "yes"}


async def workflows_list(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    flows = [views.data.workflows[wid] for wid in caller.org.workflow_ids]
    for name in ("is_default", "is_archived"):
        wanted = _flag(request, name)
        if wanted is not None:
            flows = [f for f in flows if getattr(f, name) == wanted]
    return json_response([workflow_view(views, f) for f in page_of(request, flows)])


def _stages(payload: Any, first_id: int) -> tuple[Stage, ...]:
    stages = payload.get("workflow_stages") if isinstance(payload, dict) else None
    if not isinstance(stages, list) or not stages:
        raise HttpError(400, "A workflow needs at least one stage.", field="workflow_stages")
    result = []
    for order, stage in enumerate(stages):
        if (
            not isinstance(stage, dict)
            or not isinstance(stage.get("title"), str)
            or stage.get("milestone") not in range(5)
        ):
            raise HttpError(400, "Each stage needs a title and a milestone from 0 to 4.", field="workflow_stages")
        given = stage.get("id")
        stage_id = given if isinstance(given, int) else first_id + order
        result.append(Stage(stage_id, stage["title"], stage["milestone"], order))
    return tuple(result)


async def workflow_create(request: Request, caller: Caller) -> Response:
    payload = await json_body(request)
    data = sandbox_state(request).data
    if not isinstance(payload, dict) or not isinstance(payload.get("title"), str) or not payload["title"]:
        raise HttpError(400, "This field is required.", field="title")
    workflow_id = max(data.workflows) + 1
    flow = WorkflowDef(workflow_id, caller.org.id, payload["title"], _stages(payload, workflow_id * 10))
    data.workflows[flow.id] = flow
    caller.org.workflow_ids.append(flow.id)
    return json_response(workflow_view(views_of(request), flow), status=201)


async def workflow_detail(request: Request, caller: Caller) -> Response:
    data = sandbox_state(request).data
    flow = owned(data.workflows, request, "workflow_id", caller)
    if request.method == "DELETE":
        if any(p.workflow_id == flow.id for p in data.projects.values()):
            raise HttpError(400, "This workflow still has projects.", field="non_field_errors")
        del data.workflows[flow.id]
        caller.org.workflow_ids.remove(flow.id)
        return Response(status_code=204)
    if request.method == "PUT":  # replaces the whole entity
        payload = await json_body(request)
        if not isinstance(payload, dict) or not isinstance(payload.get("title"), str) or not payload["title"]:
            raise HttpError(400, "This field is required.", field="title")
        flow.title = payload["title"]
        flow.stages = _stages(payload, flow.id * 10)
        flow.is_archived = bool(payload.get("is_archived", False))
    return json_response(workflow_view(views_of(request), flow))


async def event_detail(request: Request, caller: Caller) -> Response:
    data = sandbox_state(request).data
    wanted = request.path_params["event_id"]
    for project_id in caller.org.project_ids:
        project = data.projects[project_id]
        for event in project.events:
            if event["id"] == wanted:
                views = views_of(request)
                return json_response(
                    {**event_data(views, project, event), "project": views.url(project.org_id, "projects", project.id)}
                )
    raise HttpError(404, "Not found.")


async def webhook_logs(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    rows = [
        {
            "id": hook_id * 10 + n,
            "url": views.url(caller.org.id, "webhook_process_logs", hook_id * 10 + n),
            "org": views.org_url(caller.org.id),
            "webhook": views.url(caller.org.id, "webhooks", hook_id),
            "created_date": f"2026-01-0{n + 6}T10:00:00.000000Z",
            "modified_date": f"2026-01-0{n + 6}T10:00:00.000000Z",
            "successful": n == 0,
            "model_name": "Project",
            "model_pk": caller.org.project_ids[n],
            "event_queue_name": "WebhookQueueModel",
            "event_id": 900 + n,
            "event_name": "UPDATE",
            "event_timestamp": str(1767693600 + n * 86400),
            "notes": "" if n == 0 else "Endpoint answered HTTP 503",
        }
        for hook_id in caller.org.webhook_ids
        for n in range(2)
    ]
    if (search := request.query_params.get("search")) is not None:
        rows = [r for r in rows if search.lower() in f"{r['model_name']} {r['event_name']} {r['notes']}".lower()]
    page = positive_param(request, "page", 1)
    if page > 1 and not page_of(request, rows):
        raise HttpError(500, "Internal Server Error")  # documented: an empty page is a 500
    return json_response(page_of(request, rows))


async def webhook_queue(request: Request, caller: Caller) -> Response:
    views = views_of(request)
    rows = [
        {
            "id": hook_id,
            "url": views.url(caller.org.id, "webhook_queue_models", hook_id),
            "org": views.org_url(caller.org.id),
            "webhook": views.url(caller.org.id, "webhooks", hook_id),
            "number_of_attempts": 2,
            "next_attempt_at": "2026-01-07T10:05:00.000000Z",
            "processing_started_at": None,
            "model_name": "Project",
            "model_pk": caller.org.project_ids[1],
            "event": "UPDATE",
            "foreign_identifier": None,
        }
        for hook_id in caller.org.webhook_ids[:1]
    ]
    return json_response(page_of(request, rows))


# A tiny but well-formed baseline JPEG (SOI ... EOI); its pixels do not matter to anyone.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300"
    + "01" * 64
    + "ffc0000b080001000101011100ffc4001f0000010501010101"
    "010100000000000000000102030405060708090a0bffda0008010100003f00d2cf20ffd9"
)


async def system_image(request: Request, caller: Caller) -> Response:
    data = sandbox_state(request).data
    project = owned(data.projects, request, "project_id", caller)
    uuid = request.path_params["uuid"].upper()
    if all(data.systems[sid].uuid != uuid for sid in project.system_ids):
        raise HttpError(404, "Not found.")
    for name in ("width", "height"):
        if not request.query_params.get(name, "").isdigit():
            raise HttpError(400, "This query parameter is required.", field=name)
    # "It can redirect; follow redirects to get the image" (checked live): the sandbox always does
    return RedirectResponse(f"/_sandbox/storage/{uuid}.jpg", status_code=302)


async def stored_image(request: Request) -> Response:
    return Response(JPEG, media_type="image/jpeg")


def team_routes() -> list[Route]:
    org = "/api/orgs/{org_id:int}"
    return [
        opensolar_route(f"{org}/roles/", "roles", roles_list),
        opensolar_route(f"{org}/roles/{{role_id:int}}/", "role", role_detail),
        opensolar_route(f"{org}/workflows/", "workflows", workflows_list),
        opensolar_route(f"{org}/workflows/", "workflow_create", workflow_create, ("POST",)),
        opensolar_route(f"{org}/workflows/{{workflow_id:int}}/", "workflow", workflow_detail, ("GET", "PUT", "DELETE")),
        opensolar_route(f"{org}/events/{{event_id:int}}/", "event", event_detail),
        opensolar_route(f"{org}/webhook_process_logs/", "webhook_logs", webhook_logs),
        opensolar_route(f"{org}/webhook_queue_models/", "webhook_queue", webhook_queue),
        opensolar_route(f"{org}/projects/{{project_id:int}}/systems/{{uuid}}/image/", "system_image", system_image),
        Route("/_sandbox/storage/{name}", stored_image, methods=["GET"]),
    ]
