"""Finding projects and contacts: what the upstream searches, orders and filters, and what the gateway filters.

``search``, ``ordering`` and the Teams filters (``ownerOrgId``, ``visibleTo``) are sent upstream, one
list call per page. ``ProjectFilter`` (stage, sold, modified since, ZIP, state) is applied by the gateway
over the paged list (see ``schema/scans.py``): it may read several upstream pages per connection page,
and reports them in ``extensions.scans``.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from gateway.errors import BadRequestError
from gateway.upstream.opensolar.models import ProjectRecord
from gateway.upstream.opensolar.queries import ListQuery
from schema.incentives.market import RowPlan, prefetch
from schema.info import Info
from schema.loaders import PageKey
from schema.opensolar.checks import optional_id
from schema.opensolar.contacts import Contact
from schema.opensolar.projects import Project
from schema.pagination import Connection, paginate, window
from schema.scans import scan, scanned_connection

__all__ = [
    "ContactOrdering",
    "ProjectFilter",
    "ProjectOrdering",
    "RoleOrdering",
    "contacts_connection",
    "list_query",
    "projects_connection",
]

MAX_SEARCH_CHARS = 200
MAX_FILTER_VALUES = 50
SOLD_MILESTONES = {2, 3}  # Sold, Installed: the deprecated stage field carries the milestone


@strawberry.enum(
    description="Orders OpenSolar's project list (ordering=; undocumented upstream but observed working, "
    "descending with _DESC). An ordering the upstream does not allow is silently ignored there."
)
class ProjectOrdering(Enum):
    ID = strawberry.enum_value("id", description="By id, ascending.")
    ID_DESC = strawberry.enum_value("-id", description="By id, descending.")
    CREATED_DATE = strawberry.enum_value("created_date", description="Oldest created first.")
    CREATED_DATE_DESC = strawberry.enum_value("-created_date", description="Newest created first.")
    MODIFIED_DATE = strawberry.enum_value("modified_date", description="Least recently modified first.")
    MODIFIED_DATE_DESC = strawberry.enum_value(
        "-modified_date", description="Most recently modified first (lets a modifiedSince filter stop early)."
    )
    TITLE = strawberry.enum_value("title", description="By title, A to Z.")
    TITLE_DESC = strawberry.enum_value("-title", description="By title, Z to A.")
    PRIORITY = strawberry.enum_value("priority", description="Low priority (1) first.")
    PRIORITY_DESC = strawberry.enum_value("-priority", description="High priority (3) first.")


@strawberry.enum(description="Orders OpenSolar's contact list (ordering=; ordering on id is ignored upstream).")
class ContactOrdering(Enum):
    FIRST_NAME = strawberry.enum_value("first_name", description="By first name, A to Z.")
    FIRST_NAME_DESC = strawberry.enum_value("-first_name", description="By first name, Z to A.")
    FAMILY_NAME = strawberry.enum_value("family_name", description="By family name, A to Z.")
    FAMILY_NAME_DESC = strawberry.enum_value("-family_name", description="By family name, Z to A.")
    EMAIL = strawberry.enum_value("email", description="By email, A to Z.")
    EMAIL_DESC = strawberry.enum_value("-email", description="By email, Z to A.")


@strawberry.enum(description="Orders the org's roles (ordering=; the documented fields are id and is_admin).")
class RoleOrdering(Enum):
    ID = strawberry.enum_value("id", description="By id, ascending.")
    ID_DESC = strawberry.enum_value("-id", description="By id, descending.")
    IS_ADMIN = strawberry.enum_value("is_admin", description="Members before admins.")
    IS_ADMIN_DESC = strawberry.enum_value("-is_admin", description="Admins first.")


@strawberry.input(
    description="Filters OpenSolar's project list lacks, applied by the gateway over the paged list: it reads "
    "upstream pages of 100 rows (at most 20 per connection page) and reports them in extensions.scans."
)
class ProjectFilter:
    stages: list[int] | None = strawberry.field(
        default=None,
        description="Workflow milestones to keep: 0 Presale, 1 Lock Pricing, 2 Sold, 3 Installed, 4 Others.",
    )
    sold: bool | None = strawberry.field(
        default=None, description="true: sold or installed (milestone 2 or 3); false: neither."
    )
    modified_since: dt.datetime | None = strawberry.field(
        default=None, description="Only projects modified at or after this instant (ISO-8601, with a time zone)."
    )
    zips: list[str] | None = strawberry.field(default=None, description="Postal codes to keep (exact match).")
    states: list[str] | None = strawberry.field(default=None, description="States to keep, e.g. 'CA' (any case).")


def list_query(
    search: str | None, ordering: Enum | None, owner: strawberry.ID | None, visible_to: strawberry.ID | None
) -> ListQuery | None:
    if search is not None and len(search) > MAX_SEARCH_CHARS:
        raise BadRequestError(f"search takes at most {MAX_SEARCH_CHARS} characters.", argument="search")
    query = ListQuery(
        search=search or None,
        ordering=str(ordering.value) if ordering is not None else None,
        owner=optional_id(owner, "ownerOrgId", "Org"),
        visible_to=optional_id(visible_to, "visibleTo", "Org"),
    )
    return query if query != ListQuery() else None


def _keep(given: ProjectFilter) -> tuple[bool, object]:
    for name in ("stages", "zips", "states"):
        values = getattr(given, name)
        if values is not None and not 1 <= len(values) <= MAX_FILTER_VALUES:
            raise BadRequestError(f"filter.{name} takes 1 to {MAX_FILTER_VALUES} values.", argument=f"filter.{name}")
    if given.stages and any(not 0 <= s <= 4 for s in given.stages):
        raise BadRequestError("filter.stages takes milestones 0 to 4.", argument="filter.stages")
    since = given.modified_since
    if since is not None and since.tzinfo is None:
        raise BadRequestError("filter.modifiedSince needs a time zone (e.g. Z).", argument="filter.modifiedSince")
    zips = set(given.zips or [])
    states = {s.upper() for s in given.states or []}

    def keep(row: ProjectRecord) -> bool:
        return (
            (given.stages is None or row.stage in given.stages)
            and (given.sold is None or (row.stage in SOLD_MILESTONES) == given.sold)
            and (since is None or (row.modified_date is not None and row.modified_date >= since))
            and (not zips or row.zip in zips)
            and (not states or (row.state or "").upper() in states)
        )

    active = any(v is not None for v in (given.stages, given.sold, since, given.zips, given.states))
    return active, keep


async def projects_connection(
    info: Info,
    org_id: int,
    first: int | None,
    after: str | None,
    query: ListQuery | None,
    given: ProjectFilter | None,
) -> Connection[Project]:
    loader = info.context.loaders.projects_page

    def fetch(page: int, limit: int) -> object:
        return loader.load(PageKey("projects", org_id, page, limit, query=query))

    plan = RowPlan.of(info)

    def wrap(row: ProjectRecord) -> Project:
        return Project(org_id=org_id, record=row, detail_first=plan.detail_first)

    active, keep = _keep(given) if given is not None else (False, None)
    if not active:
        connection: Connection[Project] = await paginate(fetch, first, after, wrap)  # type: ignore[arg-type]
        prefetch(info, org_id, [edge.node.record for edge in connection.edges], plan)
        return connection
    win = window(first, after)
    since = given.modified_since if given is not None else None
    newest_first = query is not None and query.ordering == "-modified_date" and since is not None

    def stop(row: ProjectRecord) -> bool:
        return newest_first and row.modified_date is not None and since is not None and row.modified_date < since

    result = await scan(fetch, keep, win, stop=stop)  # type: ignore[arg-type]
    info.context.scans.append(
        {"field": "projects", "pagesRead": result.pages, "rowsScanned": result.scanned, "matched": len(result.rows)}
    )
    connection = scanned_connection(result, win, wrap)
    prefetch(info, org_id, [edge.node.record for edge in connection.edges], plan)
    return connection


async def contacts_connection(
    info: Info, org_id: int, first: int | None, after: str | None, query: ListQuery | None
) -> Connection[Contact]:
    loader = info.context.loaders.contacts_page
    return await paginate(
        lambda page, limit: loader.load(PageKey("contacts", org_id, page, limit, query=query)),
        first,
        after,
        lambda r: Contact(org_id=org_id, record=r),
    )
