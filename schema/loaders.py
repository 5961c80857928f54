"""Per-request loaders (memos): every upstream read goes through one, keyed on the normalised request.

Built fresh for each request (never process-wide) and bound to that request's credential, so a
request never fetches the same resource twice and never sees another caller's memo.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from gateway.errors import UnauthenticatedError
from gateway.upstream.arcadia.client import ArcadiaClient, IncentiveSearch
from gateway.upstream.arcadia.models import ApplicabilityRecord, IncentivePage, IncentiveRecord
from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.opensolar.models import (
    ContactRecord,
    OrgRecord,
    PrivateFileRecord,
    ProjectRecord,
    ProposalRecord,
    SystemDetailsRecord,
    SystemRecord,
    WebhookRecord,
)
from gateway.upstream.opensolar.people import (
    EventRecord,
    RoleRecord,
    WebhookLogRecord,
    WebhookQueueRecord,
    WorkflowRecord,
)
from gateway.upstream.opensolar.queries import ListQuery, PrivateFileFilter
from schema.memo import Memo

__all__ = ["IncentivePageKey", "Loaders", "PageKey", "SystemDetailsKey"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
# The largest page the gateway asks OpenSolar for when it needs a whole list (a project's systems).
FULL_LIST_PAGE = 100


def _loader(fetch: Callable[[K], Awaitable[V]]) -> Memo[K, V]:
    """Each key fetched once, its answer (or error) delivered as soon as it arrives (schema/memo.py)."""
    return Memo(fetch)


@dataclass(frozen=True, slots=True)
class PageKey:
    kind: str
    org_id: int
    page: int
    limit: int
    files: PrivateFileFilter | None = None
    query: ListQuery | None = None  # search, ordering and Teams filters of projects and contacts
    flags: tuple[bool | None, bool | None] = (None, None)  # workflows: is_default, is_archived


@dataclass(frozen=True, slots=True)
class SystemDetailsKey:
    org_id: int
    project_id: int
    include_parts: tuple[str, ...] = ()
    exclude_parts: tuple[str, ...] = ()
    limit_to_sold: bool = False


@dataclass(frozen=True, slots=True)
class IncentivePageKey:
    search: IncentiveSearch
    inputs: tuple[tuple[str, str], ...]
    page_start: int
    page_count: int


class _Credential:
    """The request's OpenSolar token, read when a fetch starts (a request without one fails only where it reads)."""

    __slots__ = ("_token",)

    def __init__(self, token: str | None) -> None:
        self._token = token

    @property
    def token(self) -> str:
        if not self._token:
            raise UnauthenticatedError(
                "No OpenSolar credential: send 'Authorization: Bearer <token>' or configure OPENSOLAR_TOKEN."
            )
        return self._token


def _proving(proven_orgs: set[int], fetch: Callable[[K], Awaitable[V]]) -> Callable[[K], Awaitable[V]]:
    """``fetch`` of a key whose org id comes first (or is ``org_id``): an answer proves the org is there."""

    async def run(key: K) -> V:
        value = await fetch(key)
        org_id = key.org_id if isinstance(key, PageKey) else key[0]  # type: ignore[index]
        proven_orgs.add(org_id)
        return value

    return run


def _all_systems(
    client: OpenSolarClient, credential: _Credential
) -> Callable[[tuple[int, int]], Awaitable[list[SystemRecord]]]:
    """A project's every system, ``FULL_LIST_PAGE`` at a time."""

    async def fetch(key: tuple[int, int]) -> list[SystemRecord]:
        org_id, project_id = key
        systems: list[SystemRecord] = []
        page = 1
        while True:
            rows = await client.systems(credential.token, org_id, page, FULL_LIST_PAGE, project_id=project_id)
            systems.extend(rows)
            if len(rows) < FULL_LIST_PAGE:
                return systems
            page += 1

    return fetch


class Loaders:
    """The loaders of one request, all sharing its OpenSolar credential.

    No fetch refers back to the ``Loaders`` (each captures the clients, the credential and
    ``proven_orgs``): a cycle through it left the request's every task and record to the garbage
    collector instead of reference counting (~7,000 objects and ~10 ms of collections per cold portfolio).
    """

    def __init__(self, opensolar: OpenSolarClient, arcadia: ArcadiaClient, token: str | None) -> None:
        credential = self._credential = _Credential(token)
        # orgs a read under /api/orgs/:org_id/ answered for this caller: they exist (schema/org_existence.py)
        proven: set[int] = set()
        self.proven_orgs = proven
        # Arcadia: keyed on the normalised search, so every project in one ZIP shares one search.
        self.incentive_search: Memo[IncentiveSearch, list[IncentiveRecord]] = _loader(arcadia.all_incentives)
        self.incentive_page: Memo[IncentivePageKey, IncentivePage] = _loader(
            lambda k: arcadia.incentives(k.search, dict(k.inputs), page_start=k.page_start, page_count=k.page_count)
        )
        self.incentive: Memo[tuple[int, bool, bool], IncentiveRecord] = _loader(
            lambda k: arcadia.incentive(k[0], populate_details=k[1], populate_documents=k[2])
        )
        self.applicabilities: Memo[IncentiveSearch, list[ApplicabilityRecord]] = _loader(arcadia.applicabilities)
        self.org: Memo[int, OrgRecord] = _loader(lambda org_id: opensolar.org(credential.token, org_id))
        self.project: Memo[tuple[int, int], ProjectRecord] = _loader(
            _proving(proven, lambda k: opensolar.project(credential.token, *k))
        )
        self.contact: Memo[tuple[int, int], ContactRecord] = _loader(
            _proving(proven, lambda k: opensolar.contact(credential.token, *k))
        )
        self.system: Memo[tuple[int, int], SystemRecord] = _loader(
            _proving(proven, lambda k: opensolar.system(credential.token, *k))
        )
        self.private_file: Memo[tuple[int, int], PrivateFileRecord] = _loader(
            _proving(proven, lambda k: opensolar.private_file(credential.token, *k))
        )
        self.project_systems: Memo[tuple[int, int], list[SystemRecord]] = _loader(
            _proving(proven, _all_systems(opensolar, credential))
        )
        self.system_details: Memo[SystemDetailsKey, list[SystemDetailsRecord]] = _loader(
            lambda k: opensolar.system_details(
                credential.token,
                k.org_id,
                k.project_id,
                include_parts=k.include_parts,
                exclude_parts=k.exclude_parts,
                limit_to_sold=k.limit_to_sold,
            )
        )
        self.proposal: Memo[int, ProposalRecord] = _loader(lambda pid: opensolar.proposal(credential.token, pid))
        self._lists(opensolar, credential, proven)
        self._people(opensolar, credential)

    def _lists(self, opensolar: OpenSolarClient, credential: _Credential, proven: set[int]) -> None:
        """The org's paged lists."""
        self.contacts_page: Memo[PageKey, list[ContactRecord]] = _loader(
            _proving(proven, lambda k: opensolar.contacts(credential.token, k.org_id, k.page, k.limit, k.query))
        )
        self.projects_page: Memo[PageKey, list[ProjectRecord]] = _loader(
            _proving(proven, lambda k: opensolar.projects(credential.token, k.org_id, k.page, k.limit, k.query))
        )
        self.webhooks_page: Memo[PageKey, list[WebhookRecord]] = _loader(
            lambda k: opensolar.webhooks(credential.token, k.org_id, k.page, k.limit)
        )
        self.files_page: Memo[PageKey, list[PrivateFileRecord]] = _loader(
            lambda k: opensolar.private_files(
                credential.token, k.org_id, k.page, k.limit, k.files or PrivateFileFilter()
            )
        )

    def _people(self, opensolar: OpenSolarClient, credential: _Credential) -> None:
        """Roles, workflows, events and webhook observability (the people and the pipeline)."""
        self.roles_page: Memo[PageKey, list[RoleRecord]] = _loader(
            lambda k: opensolar.roles(
                credential.token, k.org_id, k.page, k.limit, k.query.ordering if k.query else None
            )
        )
        self.role: Memo[tuple[int, int], RoleRecord] = _loader(lambda k: opensolar.role(credential.token, *k))
        self.workflows_page: Memo[PageKey, list[WorkflowRecord]] = _loader(
            lambda k: opensolar.workflows(credential.token, k.org_id, k.page, k.limit, *k.flags)
        )
        self.workflow: Memo[tuple[int, int], WorkflowRecord] = _loader(
            lambda k: opensolar.workflow(credential.token, *k)
        )
        self.event: Memo[tuple[int, int], EventRecord] = _loader(lambda k: opensolar.event(credential.token, *k))
        self.webhook: Memo[tuple[int, int], WebhookRecord] = _loader(lambda k: opensolar.webhook(credential.token, *k))
        self.webhook_logs_page: Memo[PageKey, list[WebhookLogRecord]] = _loader(
            lambda k: opensolar.webhook_logs(
                credential.token, k.org_id, k.page, k.limit, k.query.search if k.query else None
            )
        )
        self.webhook_queue_page: Memo[PageKey, list[WebhookQueueRecord]] = _loader(
            lambda k: opensolar.webhook_queue(credential.token, k.org_id, k.page, k.limit)
        )

    @property
    def token(self) -> str:
        return self._credential.token
