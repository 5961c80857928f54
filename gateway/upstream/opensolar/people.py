"""OpenSolar's people and pipeline as the gateway reads them: roles, workflows, events, webhook logs.

Field lists follow the reference (§3.9, §6): roles and workflows from their docs pages, events from the
webhook sample and the inlined ``events_data`` items, webhook process logs and queue rows from their
pages. Like every record, extra keys are ignored and a value of a foreign shape costs only its field.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gateway.upstream.opensolar.values import JsonValue, OptDateTime, Record

__all__ = [
    "ActionRecord",
    "EventRecord",
    "ProjectPeople",
    "RoleRecord",
    "StageRecord",
    "TagRecord",
    "WebhookLogRecord",
    "WebhookQueueRecord",
    "WorkflowRecord",
]


class RoleRecord(Record):
    id: int
    url: str | None = None
    email: str | None = None
    user_email: str | None = None
    first_name: str | None = None
    family_name: str | None = None
    display: str | None = None
    job_title: str | None = None
    accreditation: str | None = None
    phone: str | None = None
    user_phone: str | None = None
    is_admin: bool | None = None
    is_hidden: bool | None = None
    has_logged_in: bool | None = None
    allow_email_notifications: bool | None = None
    portrait_image: str | None = None
    schedule_meeting_url: str | None = None
    schedule_meeting_label: str | None = None
    org_name: str | None = None


class ActionRecord(Record):
    id: int | None = None
    title: str | None = None
    url: str | None = None


class StageRecord(Record):
    id: int
    title: str | None = None
    milestone: int | None = None
    order: int | None = None
    is_archived: bool | None = None
    actions: list[ActionRecord] = Field(default_factory=list)


class WorkflowRecord(Record):
    id: int
    url: str | None = None
    title: str | None = None
    description: str | None = None
    is_default: bool | None = None
    is_archived: bool | None = None
    workflow_stages: list[StageRecord] = Field(default_factory=list)
    created_date: OptDateTime = None
    modified_date: OptDateTime = None


class EventWho(Record):
    display: str | None = None
    email: str | None = None


class EventRecord(Record):
    id: int
    url: str | None = None
    event_type_id: int | None = None
    title: str | None = None
    notes: str | None = None
    created_date: OptDateTime = None
    modified_date: OptDateTime = None
    start: OptDateTime = None
    end: OptDateTime = None
    is_complete: bool | None = None
    is_archived: bool | None = None
    project: str | None = None
    project_id: int | None = None
    who: EventWho | None = None


class TagRecord(Record):
    id: int | None = None
    title: str | None = None
    url: str | None = None


class WebhookLogRecord(Record):
    id: int
    webhook: str | None = None
    created_date: OptDateTime = None
    successful: bool | None = None
    model_name: str | None = None
    model_pk: int | None = None
    event_name: str | None = None
    event_id: int | None = None
    event_timestamp: Any = None
    notes: str | None = None


class WebhookQueueRecord(Record):
    id: int
    webhook: str | None = None
    number_of_attempts: int | None = None
    next_attempt_at: OptDateTime = None
    processing_started_at: OptDateTime = None
    model_name: str | None = None
    model_pk: int | None = None
    event: str | None = None
    foreign_identifier: str | None = None


class ProjectPeople(Record):
    """The people-and-pipeline keys of project detail (read from the same payload as ``ProjectRecord``)."""

    id: int
    assigned_role_data: RoleRecord | None = None
    assigned_designer_role_data: RoleRecord | None = None
    assigned_salesperson_role_data: RoleRecord | None = None
    assigned_installer_role_data: RoleRecord | None = None
    assigned_site_inspector_role_data: RoleRecord | None = None
    assigned_designer_role_email: str | None = None
    assigned_designer_role_phone: str | None = None
    assigned_salesperson_role_email: str | None = None
    assigned_salesperson_role_phone: str | None = None
    assigned_role_email: str | None = None
    assigned_role_phone: str | None = None
    events_data: list[EventRecord] = Field(default_factory=list)
    tags_data: list[TagRecord] = Field(default_factory=list)
    stars: JsonValue = None
    project_sold: JsonValue = None
    project_installed: JsonValue = None
    payment_option_sold: str | None = None
    system_sold: str | None = None
    system_installed: str | None = None
    utility_tariff_current: str | None = None
    utility_tariff_proposed: str | None = None
    utility_tariff_current_data: JsonValue = None
    utility_tariff_proposed_data: JsonValue = None
    utility_tariff_or_guess: JsonValue = None
    utility_tariff_proposed_or_guess: JsonValue = None
    custom_project_info_1: str | None = None
    custom_project_info_2: str | None = None
    custom_project_info_3: str | None = None
    custom_project_info_4: str | None = None
    custom_project_info_5: str | None = None
    serial_numbers_panels: str | None = None
    serial_numbers_inverters: str | None = None
    serial_numbers_batteries: str | None = None
    shared_with: list[str] = Field(default_factory=list)
