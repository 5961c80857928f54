"""What every mutation shares: the caller's org, client and credential, and evicting what it changed."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.opensolar.stale import Change, write_tags
from schema.context import parse_id
from schema.info import Info
from schema.memo import Memo
from schema.relay.global_ids import encode

__all__ = ["Change", "ContactId", "Deleted", "FileId", "OrgArg", "ProjectId", "Write", "arg", "start"]


def arg(description: str) -> Any:
    return strawberry.argument(description=description)


OrgArg = Annotated[
    strawberry.ID | None,
    arg("The org's upstream id or global id (default: the org of the id argument's global id, else OPENSOLAR_ORG_ID)."),
]
ProjectId = Annotated[strawberry.ID, arg("The project's global id or upstream integer id.")]
ContactId = Annotated[strawberry.ID, arg("The contact's global id or upstream integer id.")]
FileId = Annotated[strawberry.ID, arg("The private file's global id or upstream integer id.")]


@strawberry.type(description="What a delete mutation removed upstream.")
class Deleted:
    id: strawberry.ID = strawberry.field(
        description="The global id the deleted record had (what its own id field answered), to evict it from a "
        "client cache."
    )
    database_id: int | None = strawberry.field(description="The upstream integer id of the deleted record.")
    kind: str = strawberry.field(description="What it was: project, contact, privateFile or workflow.")


# an OpenSolarClient.delete_* method: (token, org_id, item id)
DeleteCall = Callable[[str, int, int], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Write:
    info: Info
    org_id: int

    @property
    def client(self) -> OpenSolarClient:
        return self.info.context.opensolar

    @property
    def token(self) -> str:
        return self.info.context.loaders.token

    def id(self, value: str, argument: str, kind: str) -> int:
        """An id argument: the upstream integer, or a global id of a ``kind`` (a Node type) of this org."""
        return parse_id(value, argument, kind, self.org_id)

    def deleted(self, node_type: str, item_id: int, kind: str) -> Deleted:
        global_id = strawberry.ID(encode(node_type, self.org_id, item_id))
        return Deleted(id=global_id, database_id=item_id, kind=kind)

    async def delete(self, id: strawberry.ID, node_type: str, call: DeleteCall, *, stale: str, kind: str) -> Deleted:
        """A delete mutation's work: check the ``node_type`` id, DELETE it upstream (``call``), evict what it
        made stale (``stale``: the kind ``done`` knows), and answer what was removed (``kind``)."""
        item_id = self.id(id, "id", node_type)
        await call(self.token, self.org_id, item_id)
        await self.done(stale, item_id, Change.DELETE)
        return self.deleted(node_type, item_id, kind)

    def link(self, kind: str, item_id: int) -> str:
        return self.client.link(self.org_id, kind, item_id)

    async def done(self, kind: str, item_id: int | None, change: Change, *, project_id: int | None = None) -> None:
        """Evict what the write made stale (here and on every replica) and forget this request's memo."""
        await self.evict(write_tags(self.org_id, kind, item_id, change, project_id=project_id))
        loaders = self.info.context.loaders
        memo: dict[str, Memo[tuple[int, int], Any]] = {
            "project": loaders.project,
            "contact": loaders.contact,
            "file": loaders.private_file,
        }
        for loader, key in ((memo.get(kind), item_id), (loaders.project, project_id)):
            if loader is not None and key is not None:
                with contextlib.suppress(KeyError):  # Memo.clear raises on a key it never loaded
                    loader.clear((self.org_id, key))

    async def evict(self, tags: Iterable[str]) -> None:
        await self.info.context.changes.invalidate(tags)


def start(info: Info, org_id: strawberry.ID | None, target: strawberry.ID | None = None) -> Write:
    """The write's org (the argument, else the org of ``target``'s global id, else the configured default);
    checks the credential first."""
    write = Write(info, info.context.org_id(org_id, target))
    _ = write.token  # UNAUTHENTICATED before any check that might call upstream
    return write
