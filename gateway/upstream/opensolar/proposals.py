"""A project's proposal data, found in what ``/api/user_logins/`` answers (an array of orgs with their projects)."""

from __future__ import annotations

import json
from typing import Any

from gateway.errors import NotFoundError, UpstreamBadResponse
from gateway.upstream.opensolar.models import ProposalRecord, id_from_url
from gateway.upstream.tolerant import parse_model, replace_raw

__all__ = ["proposal_from"]

UPSTREAM = "opensolar"


def proposal_from(payload: Any, project_id: int) -> ProposalRecord:
    """Find the project in the array of orgs that ``/api/user_logins/`` answers with."""
    if not isinstance(payload, list):
        raise UpstreamBadResponse(f"{UPSTREAM}: expected a JSON array of orgs from user_logins.", upstream=UPSTREAM)
    for org in payload:
        for project in (org.get("projects") or []) if isinstance(org, dict) else []:
            if isinstance(project, dict) and (
                project.get("id") == project_id or id_from_url(project.get("url")) == project_id
            ):
                return _proposal_of(project, project_id)
    raise NotFoundError(f"{UPSTREAM}: no proposal data for project {project_id}.", upstream=UPSTREAM, status=200)


def _proposal_of(project: dict[str, Any], project_id: int) -> ProposalRecord:
    data = project.get("proposal_data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = {"systems": data}  # unreadable: its systems are lost, not the project's other figures
    if not isinstance(data, dict):
        data = {"systems": data}
    record = parse_model(
        ProposalRecord,
        {
            "project_id": project_id,
            "usage_annual_or_guess": project.get("usage_annual_or_guess"),
            "valid_until_date": project.get("valid_until_date"),
            "has_battery": data.get("has_battery"),
            "systems": data.get("systems") or [],
        },
        UPSTREAM,
    )
    replace_raw(record, project)  # raw: the project object as sent, proposal_data included
    return record
