"""The org: the entry point to everything OpenSolar scopes under /api/orgs/:org_id/."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from gateway.upstream.opensolar.queries import PrivateFileFilter
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
    RoleOrdering,
    contacts_connection,
    list_query,
    projects_connection,
)
from schema.opensolar.people import Event, OrgWorkflow, Role
from schema.opensolar.plan import ApiPlan, infer_plan
from schema.opensolar.project_people import ORG_WORKFLOWS_PAGE
from schema.opensolar.projects import Project
from schema.opensolar.systems import System
from schema.opensolar.webhook_logs import WebhookLog, WebhookQueueItem
from schema.opensolar.webhooks import Webhook
from schema.opensolar.writing import arg
from schema.pagination import Connection, paginate
from schema.relay.node import Node

__all__ = ["Org"]

MAX_SEARCH_CHARS = 200
MAX_BY_IDS = 100
_FIRST = "Items per page, 1 to 100 (default 20); one upstream list call per page."
_AFTER = "An endCursor or cursor from a previous page of this connection."


@strawberry.type(description="An OpenSolar organisation.")
class Org(Node):
    org_id: strawberry.Private[int]

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id,)

    def _id(self, value: str, kind: str) -> int:
        """A lookup's id: the upstream integer, or a global id of a ``kind`` of this org."""
        return parse_id(value, "id", kind, self.org_id)

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
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], arg(f"Project global ids or upstream integer ids (at most {MAX_BY_IDS}).")],
    ) -> list[Project | None]:
        keys = [(self.org_id, pid) for pid in id_list(ids, "ids", MAX_BY_IDS, "Project", self.org_id)]
        records = await asyncio.gather(*(info.context.loaders.project.load(k) for k in keys), return_exceptions=True)
        errors = [r for r in records if isinstance(r, BaseException)]
        if errors and len(errors) == len(records):
            raise errors[0]
        return [Project(org_id=self.org_id, record=r) if not isinstance(r, BaseException) else None for r in records]

    @strawberry.field
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        # the detail call every field but id needs anyway: a missing or forbidden project is null right here
        record = await info.context.loaders.project.load((self.org_id, self._id(id, "Project")))
        return Project(org_id=self.org_id, record=record)

    @strawberry.field
    async def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        record = await info.context.loaders.contact.load((self.org_id, self._id(id, "Contact")))
        return Contact(org_id=self.org_id, record=record)

    @strawberry.field
    async def system(self, info: Info, id: strawberry.ID) -> System | None:
        record = await info.context.loaders.system.load((self.org_id, self._id(id, "System")))
        return System(org_id=self.org_id, project_id=None, record=record)

    @strawberry.field
    async def private_file(self, info: Info, id: strawberry.ID) -> PrivateFile | None:
        record = await info.context.loaders.private_file.load((self.org_id, self._id(id, "PrivateFile")))
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
        file_tag_exclude: Annotated[
            str | None, arg("Leave out files with this tag title (file_tags_exclude=; at most 200 characters).")
        ] = None,
        user_id: Annotated[strawberry.ID | None, arg("Only files uploaded by this user id (user_id=).")] = None,
    ) -> Connection[PrivateFile] | None:
        filters = PrivateFileFilter(
            project_id=parse_id(project_id, "projectId", "Project", self.org_id) if project_id is not None else None,
            search=search[:MAX_SEARCH_CHARS] if search else None,
            file_tag=file_tag[:MAX_SEARCH_CHARS] if file_tag else None,
            file_tag_exclude=file_tag_exclude[:MAX_SEARCH_CHARS] if file_tag_exclude else None,
            user_id=parse_id(user_id, "userId") if user_id is not None else None,
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
            lambda r: Webhook(org_id=self.org_id, record=r),
        )

    @strawberry.field(
        description="One webhook by id (GET /api/orgs/:org_id/webhooks/:id/, cached 30 s, evicted by writes)."
    )
    async def webhook(
        self, info: Info, id: Annotated[strawberry.ID, arg("The webhook's global id or upstream integer id.")]
    ) -> Webhook | None:
        return Webhook(
            org_id=self.org_id, record=await info.context.loaders.webhook.load((self.org_id, self._id(id, "Webhook")))
        )

    @strawberry.field(
        description="OpenSolar's webhook delivery log, newest first (GET webhook_process_logs/, one call per page; "
        "never cached: it is for debugging)."
    )
    async def webhook_logs(
        self,
        info: Info,
        first: Annotated[int | None, arg(_FIRST)] = None,
        after: Annotated[str | None, arg(_AFTER)] = None,
        search: Annotated[str | None, arg("Sent upstream as search= (at most 200 characters).")] = None,
    ) -> Connection[WebhookLog] | None:
        query = list_query(search, None, None, None)
        loader = info.context.loaders.webhook_logs_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("webhook_logs", self.org_id, page, limit, query=query)),
            first,
            after,
            lambda r: WebhookLog(record=r),
        )

    @strawberry.field(description="Deliveries waiting for a retry (GET webhook_queue_models/, one call per page).")
    async def webhook_queue(
        self,
        info: Info,
        first: Annotated[int | None, arg(_FIRST)] = None,
        after: Annotated[str | None, arg(_AFTER)] = None,
    ) -> Connection[WebhookQueueItem] | None:
        loader = info.context.loaders.webhook_queue_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("webhook_queue", self.org_id, page, limit)),
            first,
            after,
            lambda r: WebhookQueueItem(record=r),
        )

    @strawberry.field(description="The org's team members (GET /api/orgs/:org_id/roles/?fieldset=list, cached 5 min).")
    async def roles(
        self,
        info: Info,
        first: Annotated[int | None, arg(_FIRST)] = None,
        after: Annotated[str | None, arg(_AFTER)] = None,
        ordering: Annotated[RoleOrdering | None, arg("Sent upstream as ordering= (id or is_admin).")] = None,
    ) -> Connection[Role] | None:
        query = list_query(None, ordering, None, None)
        loader = info.context.loaders.roles_page
        return await paginate(
            lambda page, limit: loader.load(PageKey("roles", self.org_id, page, limit, query=query)),
            first,
            after,
            lambda r: Role(org_id=self.org_id, record=r),
        )

    @strawberry.field(description="One team member by role id (GET /api/orgs/:org_id/roles/:id/).")
    async def role(
        self, info: Info, id: Annotated[strawberry.ID, arg("The role's global id or upstream integer id.")]
    ) -> Role | None:
        return Role(
            org_id=self.org_id, record=await info.context.loaders.role.load((self.org_id, self._id(id, "Role")))
        )

    @strawberry.field(
        description="The org's workflows with their stages in order (GET /api/orgs/:org_id/workflows/, one call "
        "per 100, cached 5 min)."
    )
    async def workflows(
        self,
        info: Info,
        is_default: Annotated[bool | None, arg("Sent upstream as is_default=.")] = None,
        is_archived: Annotated[bool | None, arg("Sent upstream as is_archived=.")] = None,
    ) -> list[OrgWorkflow]:
        key = PageKey("workflows", self.org_id, 1, ORG_WORKFLOWS_PAGE, flags=(is_default, is_archived))
        return [OrgWorkflow(org_id=self.org_id, record=w) for w in await info.context.loaders.workflows_page.load(key)]

    @strawberry.field(description="One workflow by id (GET /api/orgs/:org_id/workflows/:id/).")
    async def workflow(
        self, info: Info, id: Annotated[strawberry.ID, arg("The workflow's global id or upstream integer id.")]
    ) -> OrgWorkflow | None:
        return OrgWorkflow(
            org_id=self.org_id,
            record=await info.context.loaders.workflow.load((self.org_id, self._id(id, "OrgWorkflow"))),
        )

    @strawberry.field(description="One event by id, whole (GET /api/orgs/:org_id/events/:id/; events are org-level).")
    async def event(
        self, info: Info, id: Annotated[strawberry.ID, arg("The event's global id or upstream integer id.")]
    ) -> Event | None:
        return Event(
            org_id=self.org_id, record=await info.context.loaders.event.load((self.org_id, self._id(id, "Event")))
        )
