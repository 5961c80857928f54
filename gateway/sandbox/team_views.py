"""JSON shapes of the sandbox's people and pipeline: roles, workflows, events, assigned roles, file tags.

Assigned roles appear on project detail as ``assigned_*_role`` (URL), ``_id``, ``_name`` and the
masked ``_email``/``_phone`` the reference shows (``"g****@l*******.com"``, ``"*****"``), with the
role inlined as ``assigned_*_role_data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.sandbox.team import FILE_TAGS, Role, WorkflowDef

if TYPE_CHECKING:
    from gateway.sandbox.opensolar_views import Views
    from gateway.sandbox.records import PrivateFile, Project

__all__ = [
    "ASSIGNED_ROLES",
    "event_data",
    "file_tags",
    "mask_email",
    "role_view",
    "team_fields",
    "workflow_brief",
    "workflow_view",
]

JSON = dict[str, Any]
ASSIGNED_ROLES = (
    "assigned_role",
    "assigned_designer_role",
    "assigned_salesperson_role",
    "assigned_installer_role",
    "assigned_site_inspector_role",
)


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    name, _, tld = domain.rpartition(".")
    return f"{local[:1]}****@{name[:1]}{'*' * max(0, len(name) - 1)}.{tld}"


def role_view(views: Views, role: Role) -> JSON:
    return {
        "id": role.id,
        "url": views.url(role.org_id, "roles", role.id),
        "org": views.org_url(role.org_id),
        "org_name": views.data.orgs[role.org_id].name,
        "user": f"{views.base}/auth/users/{role.id - 101000}/",
        "email": role.email,
        "user_email": role.email,
        "first_name": role.first_name,
        "family_name": role.family_name,
        "display": role.display,
        "job_title": role.job_title,
        "accreditation": role.accreditation,
        "phone": role.phone,
        "user_phone": role.phone,
        "is_admin": role.is_admin,
        "is_hidden": False,
        "allow_email_notifications": True,
        "portrait_image": None,
        "google_calendar_id": None,
        "has_logged_in": True,
        "schedule_meeting_url": None,
        "schedule_meeting_label": None,
        "api_key_chat": None,
        "user_is_staff": False,
    }


def team_fields(views: Views, project: Project) -> JSON:
    fields: JSON = {}
    for name in ASSIGNED_ROLES:
        role = views.data.roles.get(project.roles.get(name, -1))
        fields[name] = views.url(role.org_id, "roles", role.id) if role else None
        fields[f"{name}_data"] = role_view(views, role) if role else None
        if name in {"assigned_installer_role", "assigned_site_inspector_role"}:
            continue  # the reference shows only the URL and _data for these two
        fields[f"{name}_id"] = role.id if role else None
        fields[f"{name}_name"] = role.display if role else None
        fields[f"{name}_email"] = mask_email(role.email) if role else None
        fields[f"{name}_phone"] = "*****" if role else None
    fields["assigned_role_accreditation"] = None
    return fields


def _stage(views: Views, workflow: WorkflowDef, index: int) -> JSON:
    stage = workflow.stages[index]
    return {
        "id": stage.id,
        "title": stage.title,
        "milestone": stage.milestone,
        "order": stage.order,
        "is_archived": False,
        "actions": [
            {
                "id": stage.id * 10,
                "title": f"Complete {stage.title.lower()}",
                "url": views.url(workflow.org_id, "actions", stage.id * 10),
                "share_with_orgs": [],
            }
        ],
    }


def workflow_view(views: Views, workflow: WorkflowDef) -> JSON:
    return {
        "id": workflow.id,
        "url": views.url(workflow.org_id, "workflows", workflow.id),
        "org": views.org_url(workflow.org_id),
        "title": workflow.title,
        "description": "",
        "is_default": workflow.is_default,
        "is_archived": workflow.is_archived,
        "workflow_stages": [_stage(views, workflow, i) for i in range(len(workflow.stages))],
        "created_date": "2026-01-05T09:00:00.000000Z",
        "modified_date": "2026-01-05T09:00:00.000000Z",
        "share_with_orgs": [],
        "org_shared_time": [],
    }


def workflow_brief(views: Views, workflow: WorkflowDef) -> JSON:
    return {"id": workflow.id, "title": workflow.title, "url": views.url(workflow.org_id, "workflows", workflow.id)}


def event_data(views: Views, project: Project, event: JSON) -> JSON:
    """An ``events_data`` item as project detail inlines it (``project_id``, ``is_read``, ...)."""
    return {
        "id": event["id"],
        "url": views.url(project.org_id, "events", event["id"]),
        "event_type_id": event["event_type_id"],
        "title": event["title"],
        "notes": event.get("notes", ""),
        "created_date": event["created_date"],
        "modified_date": event["created_date"],
        "project_id": project.id,
        "is_read": False,
        "is_complete": True,
        "is_archived": False,
        "action_id": None,
        "contact_data": None,
        "who": {"display": event.get("who", "API"), "email": None, "portrait_image_public_url": None},
    }


def file_tags(views: Views, file: PrivateFile) -> JSON:
    ids = file.tag_ids or [file.tag_id]
    return {
        "file_tags": [f"{views.base}/api/file_tags/{tid}/" for tid in ids],
        "file_tags_data": [
            {
                "url": f"{views.base}/api/file_tags/{tid}/",
                "title": FILE_TAGS.get(tid, file.tag_title),
                "type": "private",
                "id": tid,
            }
            for tid in ids
        ],
    }
