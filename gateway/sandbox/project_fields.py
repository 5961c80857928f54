"""The simulated project serializer's writable fields, validated the way DRF does it.

Unknown and read-only keys are ignored (DRF drops them silently); a known key with a bad value is a
400 ``{"<field>": ["<message>"]}``. Relations are hyperlinks (or bare ids, which the sandbox also
accepts); ``usage`` is ``{"usage_data_source": ..., "values": ...}`` as an object or a JSON string.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from datetime import date
from typing import Any

from gateway.sandbox.data import SandboxData
from gateway.sandbox.pipeline import HttpError
from gateway.sandbox.records import Place, Project
from gateway.sandbox.team_views import ASSIGNED_ROLES

__all__ = ["USAGE_SOURCES", "annual_kwh", "apply_project_fields", "link_id"]

TEXT_FIELDS = {
    "title": 200,
    "address": 255,
    "business_name": 255,
    "lead_source": 255,
    "notes": 10_000,
    "site_notes": 10_000,
    "language": 10,
    "country_iso2": 2,
    "serial_numbers_panels": 10_000,
    "serial_numbers_inverters": 10_000,
    "serial_numbers_batteries": 10_000,
    **{f"custom_project_info_{n}": 255 for n in range(1, 6)},
}
PLACE_FIELDS = {"locality": 100, "state": 100, "zip": 20, "county": 100}
INT_FIELDS = {"priority": (1, 3), "number_of_phases": (1, 3), "number_of_storeys": (1, 200)}
DATE_FIELDS = {"installation_date", "contract_date"}
# usage_data_source -> how many values it takes (None: one number; "estimate" takes a level)
USAGE_SOURCES: dict[str, int | None] = {
    "kwh_annual": None,
    "kwh_monthly": 12,
    "kwh_every_second_month": 6,
    "kwh_quarterly": 4,
    "kwh_daily_per_month": 12,
    "bill_annual": None,
    "bill_monthly": 12,
    "bill_every_second_month": 6,
    "bill_quarterly": 4,
    "estimate": None,
}
ESTIMATES = {"Low": 4500, "Medium": 7500, "High": 11500}  # kWh a year
DAYS_PER_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
PRICE_PER_KWH = 0.25  # the sandbox's guess from bills to kWh
_TRAILING_ID = re.compile(r"(\d+)/?$")


def link_id(value: Any, name: str) -> int:
    """A hyperlink's (or a bare id's) integer id."""
    match = _TRAILING_ID.search(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
    if match is None:
        raise HttpError(400, "Invalid hyperlink - No URL match.", field=name)
    return int(match.group(1))


def _text(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HttpError(400, "Not a valid string.", field=name)
    if len(value) > limit:
        raise HttpError(400, f"Ensure this field has no more than {limit} characters.", field=name)
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HttpError(400, "A valid number is required.", field=name)
    return float(value)


def annual_kwh(source: str, values: Any) -> int:
    if source == "estimate":
        return ESTIMATES[str(values)]
    numbers: list[float] = values if isinstance(values, list) else [values]
    if source == "kwh_daily_per_month":
        return round(sum(v * d for v, d in zip(numbers, DAYS_PER_MONTH, strict=True)))
    total = float(sum(numbers))
    return round(total / PRICE_PER_KWH if source.startswith("bill_") else total)


def _usage(value: Any) -> tuple[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise HttpError(400, "Value must be valid JSON.", field="usage") from None
    source = value.get("usage_data_source") if isinstance(value, dict) else None
    if source not in USAGE_SOURCES:
        raise HttpError(400, f'"{source}" is not a valid usage_data_source.', field="usage")
    values, count = value.get("values"), USAGE_SOURCES[source]
    if source == "estimate":
        if values not in ESTIMATES:
            raise HttpError(400, 'An estimate takes "Low", "Medium" or "High".', field="usage")
        return source, values
    if count is None:
        values = values[0] if isinstance(values, list) and len(values) == 1 else values
        if _number(values, "usage") < 0:
            raise HttpError(400, "Usage cannot be negative.", field="usage")
        return source, values
    if not isinstance(values, list) or len(values) != count:
        raise HttpError(400, f"{source} takes {count} values.", field="usage")
    if any(_number(v, "usage") < 0 for v in values):
        raise HttpError(400, "Usage cannot be negative.", field="usage")
    return source, values


def _workflow(data: SandboxData, project: Project, payload: dict[str, Any]) -> None:
    flow: dict[str, Any] = payload["workflow"] if isinstance(payload.get("workflow"), dict) else {}
    stage_id = payload.get("active_stage_id", flow.get("active_stage_id"))
    workflow_id = flow.get("workflow_id", project.workflow_id)
    workflow = data.workflows.get(workflow_id) if isinstance(workflow_id, int) else None
    if workflow is None or workflow.org_id != project.org_id:
        raise HttpError(400, f'Invalid pk "{workflow_id}" - object does not exist.', field="workflow")
    stage = next((s for s in workflow.stages if s.id == stage_id), None)
    if stage is None:
        raise HttpError(400, f'Invalid pk "{stage_id}" - object does not exist.', field="active_stage_id")
    project.workflow_id, project.active_stage_id, project.stage = workflow.id, stage.id, stage.milestone


def _relations(data: SandboxData, project: Project, payload: dict[str, Any]) -> None:
    for name in ASSIGNED_ROLES:
        if name in payload:
            if payload[name] is None:
                project.roles.pop(name, None)
                continue
            role = data.roles.get(link_id(payload[name], name))
            if role is None or role.org_id != project.org_id:
                raise HttpError(400, "Invalid hyperlink - Object does not exist.", field=name)
            project.roles[name] = role.id
    if "shared_with" in payload:
        org = data.orgs[project.org_id]
        ids = [link_id(url, "shared_with") for url in payload["shared_with"] or []]
        if any(oid not in org.connected_org_ids for oid in ids):
            raise HttpError(400, "Projects can only be shared with connected orgs.", field="shared_with")
        project.shared_with = ids
    if "contacts" in payload:
        ids = [link_id(url, "contacts") for url in payload["contacts"] or []]
        if any(data.contacts.get(cid) is None or data.contacts[cid].org_id != project.org_id for cid in ids):
            raise HttpError(400, "Invalid hyperlink - Object does not exist.", field="contacts")
        for cid in set(project.contact_ids) - set(ids):
            data.contacts[cid].project_ids.remove(project.id)
        for cid in set(ids) - set(project.contact_ids):
            data.contacts[cid].project_ids.append(project.id)
        project.contact_ids = ids


def _scalars(project: Project, payload: dict[str, Any]) -> None:
    for name, limit in TEXT_FIELDS.items():
        if name in payload:
            value = _text(payload[name], name, limit)
            if name in {"title", "address"}:
                setattr(project, name, value)
            else:
                project.extra[name] = value
    texts = {name: _text(payload[name], name, limit) for name, limit in PLACE_FIELDS.items() if name in payload}
    if texts:
        old = project.place
        project.place = Place(
            texts.get("zip", old.zip),
            texts.get("locality", old.locality),
            texts.get("state", old.state),
            texts.get("county", old.county),
            old.lat,
            old.lon,
            old.streets,
        )
    for name, (low, high) in INT_FIELDS.items():
        if name in payload:
            value = payload[name]
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high
            ):
                raise HttpError(400, f"Ensure this value is between {low} and {high}.", field=name)
            if name == "priority":
                project.priority = value if value is not None else project.priority
            else:
                project.extra[name] = value
    for name, bound in (("lat", 90), ("lon", 180)):
        if name in payload and not -bound <= _number(payload[name], name) <= bound:
            raise HttpError(400, f"Ensure this value is between -{bound} and {bound}.", field=name)
        if name in payload:
            setattr(project, name, float(payload[name]))
    if "is_residential" in payload:
        if not isinstance(payload["is_residential"], bool):
            raise HttpError(400, "Must be a valid boolean.", field="is_residential")
        project.is_residential = payload["is_residential"]
    for name in DATE_FIELDS & payload.keys():
        try:
            project.extra[name] = date.fromisoformat(payload[name]).isoformat() if payload[name] else None
        except (TypeError, ValueError):
            raise HttpError(400, "Date has wrong format. Use YYYY-MM-DD.", field=name) from None


def apply_project_fields(data: SandboxData, project: Project, payload: Any) -> None:
    """Validate every known field first, then apply: a 400 leaves the project as it was."""
    if not isinstance(payload, dict):
        raise HttpError(400, "Invalid data. Expected a dictionary.", field="non_field_errors")
    trial = replace(
        project,
        extra=dict(project.extra),
        roles=dict(project.roles),
        contact_ids=list(project.contact_ids),
        shared_with=list(project.shared_with),
    )
    _scalars(trial, payload)
    usage = _usage(payload["usage"]) if "usage" in payload else None
    if "workflow" in payload or "active_stage_id" in payload:
        _workflow(data, trial, payload)
    _relations(data, trial, payload)
    for item in fields(trial):
        setattr(project, item.name, getattr(trial, item.name))
    if usage is not None:
        project.usage_source, project.usage_values = usage
        project.usage_annual_kwh, project.usage_monthly = annual_kwh(*usage), None
