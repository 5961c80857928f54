"""Phrases the catalogue repeats: where a value comes from and what it costs upstream."""

from __future__ import annotations

__all__ = [
    "ARCADIA",
    "COMPONENT",
    "CONTACT",
    "DETAILS",
    "FILE",
    "NULL",
    "ORG_ARG",
    "PAGE_AFTER",
    "PAGE_FIRST",
    "PROJECT",
    "PROPOSAL",
    "SYSTEM",
    "ending",
]

NULL = " Null when OpenSolar does not send it, or on an error at this path (see the error's extensions.code)."
PROJECT = (
    " Served from the list row or inlined copy when it holds the key, else from one project-detail call "
    "(GET /api/orgs/:org_id/projects/:id/, throttled at 100/min per user and 10,000/day per org) shared by "
    "every field of the project."
)
CONTACT = (
    " Served from the list row or a project's contacts_data when it holds the key, else from one contact-detail "
    "call (GET /api/orgs/:org_id/contacts/:id/)."
)
SYSTEM = (
    " Served from the systems-list row or the entry inlined in project detail when it holds the key, else from "
    "the project's systems list (GET /api/orgs/:org_id/systems/?fieldset=list&project=:id) or one system call."
)
DETAILS = (
    " From the project's one system-details call (GET /api/orgs/:org_id/projects/:id/systems/details/, "
    "60/min per user; experimental upstream, may time out as UPSTREAM_TIMEOUT)."
)
FILE = (
    " Served from the list row or the project's private_files_data when it holds the key, else from one "
    "private-file call (GET /api/orgs/:org_id/private_files/:id/, 1000/hour per user, 1000/day per org)."
)
PROPOSAL = (
    " From the project's one proposal-data call (GET /api/user_logins/?project_ids=:id, 100/min per user; "
    "Raw Data API Access plan only)."
)
ARCADIA = " As Arcadia sends it (no further call); null when Arcadia omits it."
PAGE_FIRST = "Items per page, 1 to 100 (default 20); one upstream list call per page."
PAGE_AFTER = "An endCursor or cursor from a previous page of this connection; BAD_REQUEST otherwise."
ORG_ARG = (
    "The OpenSolar org, by global id or upstream integer id; defaults to the org a global id in the id argument "
    "names, else OPENSOLAR_ORG_ID."
)
COMPONENT = "Null when OpenSolar does not send it."


def ending(tail: str, descriptions: dict[str, str]) -> dict[str, str]:
    """``descriptions``, each followed by ``tail`` (the phrases a whole group of fields shares)."""
    return {key: text + tail for key, text in descriptions.items()}
