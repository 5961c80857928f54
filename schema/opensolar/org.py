"""The org: the entry point to everything OpenSolar scopes under /api/orgs/:org_id/."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from gateway.upstreams.opensolar import PrivateFileFilter
from schema.context import parse_id
from schema.info import Info
from schema.loaders import PageKey
from schema.opensolar.checks import id_list
from schema.opensolar.contacts import Contact
from schema.opensolar.files import PrivateFile, PrivateFileOrdering
from schema.opensolar.finding import (
    ContactOrdering,
    ProjectFilter,
    ProjectOrdering,
    contacts_connection,
    list_query,
    projects_connection,
)
from schema.opensolar.plan import ApiPlan, infer_plan
from schema.opensolar.projects import Project
from schema.opensolar.systems import System
from schema.opensolar.webhooks import Webhook
from schema.opensolar.writing import arg
from schema.pagination import Connection, paginate

__all__ = ["Org"]

MAX_SEARCH_CHARS = 200
MAX_BY_IDS = 100


@strawberry.type(description="An OpenSolar organisation.")
class Org:
    org_id: strawberry.Private[int]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.org_id))

    @strawberry.field
    async def name(self, info: Info) -> str | None:
        return (await info.context.loaders.org.load(self.org_id)).name

    @strawberry.field(
        description="The org's OpenSolar API plan, inferred (OpenSolar does not say): see planEvidence. Costs "
        "the first projects page (shared with projects(first: 20)) and one proposal-data call for its first "
        "project (100/min per user), both cached."
    )
    async def plan(self, info: Info) -> ApiPlan | None:
        return (await infer_plan(info, self.org_id)).plan

    @strawberry.field(description="How plan was inferred: the call it rests on and what it answered.")
    async def plan_evidence(self, info: Info) -> str | None:
        return (await infer_plan(info, self.org_id)).evidence

    @strawberry.field(description="The org's contacts, as OpenSolar orders them unless ordering is given.")
    async def contacts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[str | None, arg("Sent upstream as search= (undocumented on contacts; at most 200).")] = None,
        ordering: Annotated[ContactOrdering | None, arg("Sent upstream as ordering=.")] = None,
        owner_org_id: Annotated[strawberry.ID | None, arg("Teams: contacts owned by this org (owned_by=).")] = None,
        visible_to: Annotated[strawberry.ID | None, arg("Teams: contacts shared with this org (shared_with=).")] = None,
    ) -> Connection[Contact] | None:
        query = list_query(search, ordering, owner_org_id, visible_to)
        return await contacts_connection(info, self.org_id, first, after, query)

    @strawberry.field(
        description="The org's projects. search, ordering, ownerOrgId and visibleTo are sent upstream (one list "
        "call per page); filter is applied by the gateway over the paged list (see ProjectFilter)."
    )
    async def projects(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[str | None, arg("Sent upstream as search= (undocumented on projects; at most 200).")] = None,
        ordering: Annotated[ProjectOrdering | None, arg("Sent upstream as ordering=.")] = None,
        owner_org_id: Annotated[
            strawberry.ID | None, arg("Teams: projects owned by this org (owner_org_id=, with fieldset=list).")
        ] = None,
        visible_to: Annotated[
            strawberry.ID | None, arg("Teams: projects shared with this connected org (visible_to=).")
        ] = None,
        filter: Annotated[
            ProjectFilter | None, arg("Gateway-applied filters (stage, sold, modified since, ZIP, state).")
        ] = None,
    ) -> Connection[Project] | None:
        query = list_query(search, ordering, owner_org_id, visible_to)
        return await projects_connection(info, self.org_id, first, after, query, filter)

    @strawberry.field(
        description=f"Several projects by id, in the order given (at most {MAX_BY_IDS}): one project-detail call "
        "each, through the request's loaders (100/min per user). A missing one is null."
    )
    async def projects_by_ids(
        self, info: Info, ids: Annotated[list[strawberry.ID], arg(f"Project ids (at most {MAX_BY_IDS}).")]
    ) -> list[Project | None]:
        keys = [(self.org_id, pid) for pid in id_list(ids, "ids", MAX_BY_IDS)]
        records = await asyncio.gather(*(info.context.loaders.project.load(k) for k in keys), return_exceptions=True)
        errors = [r for r in records if isinstance(r, BaseException)]
        if errors and len(errors) == len(records):
            raise errors[0]
        return [Project(org_id=self.org_id, record=r) if not isinstance(r, BaseException) else None for r in records]

    @strawberry.field
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        # the detail call every field but id needs anyway: a missing or forbidden project is null right here
        record = await info.context.loaders.project.load((self.org_id, parse_id(id, "project id")))
        return Project(org_id=self.org_id, record=record)

    @strawberry.field
    async def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        record = await info.context.loaders.contact.load((self.org_id, parse_id(id, "contact id")))
        return Contact(org_id=self.org_id, record=record)

    @strawberry.field
    async def system(self, info: Info, id: strawberry.ID) -> System | None:
        record = await info.context.loaders.system.load((self.org_id, parse_id(id, "system id")))
        return System(org_id=self.org_id, project_id=None, record=record)

    @strawberry.field
    async def private_file(self, info: Info, id: strawberry.ID) -> PrivateFile | None:
        record = await info.context.loaders.private_file.load((self.org_id, parse_id(id, "file id")))
        return PrivateFile(org_id=self.org_id, record=record)

    @strawberry.field(description="Private files, optionally of one project, tag or search term.")
    async def private_files(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        project_id: strawberry.ID | None = None,
        search: str | None = None,
        file_tag: str | None = None,
        ordering: PrivateFileOrdering | None = None,
    ) -> Connection[PrivateFile] | None:
        filters = PrivateFileFilter(
            project_id=parse_id(project_id, "project id") if project_id is not None else None,
            search=search[:MAX_SEARCH_CHARS] if search else None,
            file_tag=file_tag[:MAX_SEARCH_CHARS] if file_tag else None,
            ordering=ordering.value if ordering else None,
        )
        loader = info.context.loaders.files_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("files", self.org_id, page, limit, filters)),
            first,
            after,
            lambda r: PrivateFile(org_id=self.org_id, record=r),
        )

    @strawberry.field
    async def webhooks(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Webhook] | None:
        loader = info.context.loaders.webhooks_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("webhooks", self.org_id, page, limit)),
            first,
            after,
            lambda r: Webhook(record=r),
        )
