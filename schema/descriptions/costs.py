"""What a field costs upstream, appended to its description wherever that is written (catalogue or code)."""

from __future__ import annotations

__all__ = ["COSTS"]

COSTS: dict[str, str] = {
    "Query.incentives": "One Arcadia search call per page (GET /rest/v1/incentives), cached for an hour.",
    "Query.incentive": "One Arcadia call (GET /rest/v1/incentives/:id), cached for an hour.",
    "Query.incentiveApplicabilities": "One Arcadia call (GET /rest/v1/incentives/applicabilities), cached a day.",
    "Org.contacts": "One contacts-list call per page (GET /api/orgs/:org_id/contacts/).",
    "Org.privateFiles": "One private-files list call per page (1000/hour per user, 1000/day per org).",
    "Project.contacts": "No call when the row inlines contacts_data; else the project-detail call (100/min per user).",
    "Project.systems": "No call when the project detail inlines them; else one systems-list call "
    "(GET /api/orgs/:org_id/systems/?fieldset=list&project=:id).",
    "Project.soldSystem": "The project-detail call if the row lacks system_sold, then the project's systems list.",
    "Project.systemDetails": "One system-details call per project and parts (60/min per user; experimental "
    "upstream, may time out as UPSTREAM_TIMEOUT).",
    "Project.privateFiles": "No call when the row inlines private_files_data; else the project-detail call.",
    "Project.designStatus": "No call when the row says; else the project-detail call (100/min per user).",
    "Project.design": "From the project-detail call (100/min per user); decoding costs gateway CPU, not calls.",
    "Project.proposal": "One proposal-data call (GET /api/user_logins/?project_ids=:id&compress_data=1, 100/min "
    "per user), cached for ten minutes.",
    "Project.incentives": "One Arcadia search per market per request (cached for an hour), the project's "
    "systems list, and system details or the design only when an incentive of the market needs their keys.",
    "System.details": "The project's one system-details call (60/min per user), shared by all its systems.",
}
