"""Whether a project webhook changed what the project's systems, system details and proposal are built from.

OpenSolar's project webhook says neither which fields changed nor which trigger fired: its ``fields``
is the project record (the project-detail shape, filtered by the webhook's ``payload_fields``;
``project.*`` or no filter sends every field). So the receiver remembers, per project, a digest of
the record's fields other than the presentation ones (``PRESENTATION``: title, notes, stage, contacts,
events, ...). When the next UPDATE carries every field those reads depend on (``REQUIRED``) and the
digest is the one remembered, only the project's own record changed: its detail and the list pages
showing it are evicted, and its systems, system details and proposal are kept (they hold nothing
the change touched). A payload missing one of ``REQUIRED``, the first payload of a project this
replica has seen, or any other event evicts everything, as before. This is inferred from the
documented payload and field lists (``/work/shared/reference/opensolar-api.md`` §6), not documented
as such: OpenSolar could change a system without a project field changing, but then no project
trigger fires and nothing was evicted before either.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import orjson

__all__ = ["PRESENTATION", "REQUIRED", "SystemInputs"]

# Fields of the project record no system, system-details or proposal read depends on.
PRESENTATION = frozenset(
    {
        "title",
        "notes",
        "site_notes",
        "stage",
        "stage_warning",
        "priority",
        "stars",
        "modified_date",
        "tags",
        "tags_data",
        "events",
        "events_data",
        "actions",
        "contacts",
        "contacts_data",
        "lead_source",
        "business_name",
        "identifier",
        "share_link",
        "private_files",
        "private_files_data",
    }
)
# What a payload must hold for its digest to speak for the systems and the proposal.
REQUIRED = frozenset({"systems", "usage", "usage_annual_or_guess", "valid_until_date", "lat", "lon"})


def _digest(fields: Mapping[str, Any]) -> bytes | None:
    if not fields.keys() >= REQUIRED:
        return None
    inputs = {name: value for name, value in fields.items() if name not in PRESENTATION}
    try:
        raw = orjson.dumps(inputs, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return None
    return hashlib.blake2b(raw, digest_size=16).digest()


class SystemInputs:
    """Per (org, project): the digest of the last project payload this replica received (bounded)."""

    def __init__(self, max_projects: int = 100_000) -> None:
        self.max_projects = max_projects
        self._seen: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def unchanged(self, org_id: int, project_id: int, fields: Mapping[str, Any]) -> bool:
        """Record this payload; True when its system inputs equal the previous payload's."""
        key = (org_id, project_id)
        previous = self._seen.pop(key, None)
        digest = _digest(fields)
        if digest is None:  # unknown what changed: everything is evicted, nothing to compare with next
            return False
        self._seen[key] = digest
        while len(self._seen) > self.max_projects:
            self._seen.popitem(last=False)
        return previous == digest
