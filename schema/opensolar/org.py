"""The org: the entry point to everything OpenSolar scopes under /api/orgs/:org_id/."""

from __future__ import annotations

import strawberry

from gateway.upstreams.opensolar import PrivateFileFilter
from schema.context import parse_id
from schema.info import Info
from schema.loaders import PageKey
from schema.opensolar.contacts import Contact
from schema.opensolar.files import PrivateFile, PrivateFileOrdering
from schema.opensolar.plan import ApiPlan, infer_plan
from schema.opensolar.projects import Project
from schema.opensolar.systems import System
from schema.opensolar.webhooks import Webhook
from schema.pagination import Connection, paginate

__all__ = ["Org"]

MAX_SEARCH_CHARS = 200


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

    @strawberry.field(description="The org's contacts, newest pages first as OpenSolar orders them.")
    async def contacts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Contact] | None:
        loader = info.context.loaders.contacts_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("contacts", self.org_id, page, limit)),
            first,
            after,
            lambda r: Contact(org_id=self.org_id, record=r),
        )

    @strawberry.field
    async def projects(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Project] | None:
        loader = info.context.loaders.projects_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("projects", self.org_id, page, limit)),
            first,
            after,
            lambda r: Project(org_id=self.org_id, record=r),
        )

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
