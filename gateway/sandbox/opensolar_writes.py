"""The simulated OpenSolar writes: projects and contacts (private files and documents: ``file_writes``).

They run through the same pipeline as reads (auth, the documented throttles, faults), answer in
DRF's words (201 with the record, 204 on delete, 400 ``{"<field>": [...]}``) and keep the org's
plan rules: with an empty API Access wallet "new project creation will be blocked" (402).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.sandbox.data import SandboxData
from gateway.sandbox.file_writes import file_create, file_update, generate_document
from gateway.sandbox.opensolar_dialect import (
    Caller,
    json_body,
    opensolar_route,
    owned,
    project_of,
    views_of,
)
from gateway.sandbox.pipeline import HttpError, json_response, sandbox_state
from gateway.sandbox.project_fields import apply_project_fields
from gateway.sandbox.records import Contact, Place, Project, stamp_now

__all__ = ["opensolar_write_routes"]

CONTACT_TEXT = {
    "first_name": 100,
    "family_name": 100,
    "phone": 50,
    "passport_number": 100,
    "licence_number": 100,
    "custom_contact_info_1": 255,
    "custom_contact_info_2": 255,
}
CONTACT_EXTRA = ("passport_number", "licence_number", "custom_contact_info_1", "custom_contact_info_2")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STAGE_CHANGED_EVENT = 56  # "Project Stage Changed" in the reference's event-type table


def _contact_fields(contact: Contact, payload: Any) -> None:
    if not isinstance(payload, dict):
        raise HttpError(400, "Invalid data. Expected a dictionary.", field="non_field_errors")
    for name, limit in CONTACT_TEXT.items():
        value = payload.get(name)
        if name in payload and value is not None and (not isinstance(value, str) or len(value) > limit):
            raise HttpError(400, f"Ensure this field is a string of at most {limit} characters.", field=name)
    if payload.get("email") and not (isinstance(payload["email"], str) and _EMAIL.match(payload["email"])):
        raise HttpError(400, "Enter a valid email address.", field="email")
    if "gender" in payload and payload["gender"] not in (0, 1, 2, None):
        raise HttpError(400, f'"{payload["gender"]}" is not a valid choice.', field="gender")
    if payload.get("date_of_birth"):
        try:
            datetime.strptime(str(payload["date_of_birth"]), "%Y-%m-%d")
        except ValueError:
            raise HttpError(400, "Date has wrong format. Use YYYY-MM-DD.", field="date_of_birth") from None
    for name in ("first_name", "family_name", "phone", "email"):
        if name in payload:
            setattr(contact, name, payload[name] or "")
    if "date_of_birth" in payload:
        contact.date_of_birth = payload["date_of_birth"] or ""
    if "gender" in payload:
        contact.gender = payload["gender"] or 0
    contact.extra.update({k: payload[k] or "" for k in CONTACT_EXTRA if k in payload})


def _new_contact(data: SandboxData, org_id: int, payload: Any) -> Contact:
    contact = Contact(data.next_id("contact"), org_id, "", "", "", "", "", 0)
    _contact_fields(contact, payload)
    if not (contact.first_name or contact.family_name or contact.email):
        raise HttpError(400, "A contact needs a first name, family name or email.", field="non_field_errors")
    return contact


async def project_create(request: Request, caller: Caller) -> Response:
    if caller.org.wallet_empty:
        raise HttpError(
            402, "New project creation is blocked: the wallet balance is empty. Top up in Control > Wallet."
        )
    payload = await json_body(request)
    if not isinstance(payload, dict):
        raise HttpError(400, "Invalid data. Expected a dictionary.", field="non_field_errors")
    if not payload.get("address"):
        raise HttpError(400, "This field is required.", field="address")
    payload.setdefault("title", payload["address"])  # OpenSolar titles a project by its address
    data = sandbox_state(request).data
    new_contacts = payload.get("contacts_new") or []
    if not isinstance(new_contacts, list) or len(new_contacts) > 20:
        raise HttpError(400, "Expected a list of at most 20 contacts.", field="contacts_new")
    contacts = [_new_contact(data, caller.org.id, item) for item in new_contacts]
    project = _blank_project(data, caller)
    apply_project_fields(data, project, payload)
    for contact in contacts:
        data.contacts[contact.id] = contact
        caller.org.contact_ids.append(contact.id)
        contact.project_ids.append(project.id)
        project.contact_ids.append(contact.id)
    data.projects[project.id] = project
    caller.org.project_ids.append(project.id)
    return json_response(views_of(request).project_detail(project, None), status=201)


def _blank_project(data: SandboxData, caller: Caller) -> Project:
    project_id = data.next_id("project")
    workflow = data.workflows[caller.org.workflow_ids[0]]
    now = stamp_now()
    return Project(
        id=project_id,
        org_id=caller.org.id,
        identifier=str(uuid.UUID(int=project_id, version=4)),
        title="",
        address="",
        place=Place("", "", "", "", 0.0, 0.0, ()),
        lat=0.0,
        lon=0.0,
        contact_ids=[],
        system_ids=[],
        file_ids=[],
        usage_annual_kwh=0,
        usage_monthly=None,
        created=now,
        modified=now,
        priority=2,
        stage=0,
        sold_system_id=None,
        workflow_id=workflow.id,
        active_stage_id=workflow.stages[0].id,
    )


async def project_update(request: Request, caller: Caller) -> Response:
    project = project_of(request, caller)
    data = sandbox_state(request).data
    if request.method == "DELETE":
        _delete_project(data, caller, project)
        return Response(status_code=204)
    payload = await json_body(request)
    stage_before = project.active_stage_id
    apply_project_fields(data, project, payload)  # PUT keeps fields left out, as the contacts PUT does
    project.modified = stamp_now()
    if project.active_stage_id != stage_before:
        stage = next(s for s in data.workflows[project.workflow_id or 0].stages if s.id == project.active_stage_id)
        project.events.append(
            {
                "id": data.next_id("event"),
                "event_type_id": STAGE_CHANGED_EVENT,
                "title": f"Project Stage Changed: {stage.title}",
                "created_date": project.modified.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
        )
    return json_response(views_of(request).project_detail(project, None))


def _delete_project(data: SandboxData, caller: Caller, project: Project) -> None:
    del data.projects[project.id]
    data.deleted_projects.add(project.id)
    caller.org.project_ids.remove(project.id)
    for cid in project.contact_ids:
        data.contacts[cid].project_ids.remove(project.id)
    for fid in project.file_ids:
        data.files.pop(fid, None)
        caller.org.file_ids.remove(fid)
    for sid in project.system_ids:
        data.systems.pop(sid, None)


async def contact_create(request: Request, caller: Caller) -> Response:
    data = sandbox_state(request).data
    contact = _new_contact(data, caller.org.id, await json_body(request))
    data.contacts[contact.id] = contact
    caller.org.contact_ids.append(contact.id)
    return json_response(views_of(request).contact(contact), status=201)


async def contact_update(request: Request, caller: Caller) -> Response:
    data = sandbox_state(request).data
    contact = owned(data.contacts, request, "contact_id", caller)
    if request.method == "DELETE":
        del data.contacts[contact.id]
        caller.org.contact_ids.remove(contact.id)
        for pid in contact.project_ids:
            data.projects[pid].contact_ids.remove(contact.id)
        return Response(status_code=204)
    _contact_fields(contact, await json_body(request))  # PUT keeps what it is not given (checked live)
    return json_response(views_of(request).contact(contact))


def opensolar_write_routes() -> list[Route]:
    org = "/api/orgs/{org_id:int}"
    project = f"{org}/projects/{{project_id:int}}/"
    return [
        opensolar_route(f"{org}/projects/", "project_create", project_create, ("POST",)),
        opensolar_route(project, "project_update", project_update, ("PATCH", "PUT", "DELETE")),
        opensolar_route(
            f"{project}generate_document/{{document_type}}/", "generate_document", generate_document, ("POST",)
        ),
        opensolar_route(f"{org}/contacts/", "contact_create", contact_create, ("POST",)),
        opensolar_route(
            f"{org}/contacts/{{contact_id:int}}/", "contact_update", contact_update, ("PATCH", "PUT", "DELETE")
        ),
        opensolar_route(f"{org}/private_files/", "private_file_create", file_create, ("POST",)),
        opensolar_route(
            f"{org}/private_files/{{file_id:int}}/", "private_file_update", file_update, ("PATCH", "DELETE")
        ),
    ]
