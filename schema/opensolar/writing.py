"""What every mutation shares: the caller's org, client and credential, and evicting what it changed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from gateway.invalidation import invalidate
from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.opensolar.stale import Change, write_tags
from schema.info import Info

__all__ = ["Change", "ContactId", "Deleted", "FileId", "OrgArg", "ProjectId", "Write", "arg", "start"]


def arg(description: str) -> Any:
    return strawberry.argument(description=description)


OrgArg = Annotated[strawberry.ID | None, arg("The org's upstream id (default: OPENSOLAR_ORG_ID).")]
ProjectId = Annotated[strawberry.ID, arg("The project's upstream id.")]
ContactId = Annotated[strawberry.ID, arg("The contact's upstream id.")]
FileId = Annotated[strawberry.ID, arg("The private file's upstream id.")]


@strawberry.type(description="What a delete mutation removed upstream.")
class Deleted:
    id: strawberry.ID = strawberry.field(description="The upstream id of the deleted record.")
    kind: str = strawberry.field(description="What it was: project, contact, privateFile or workflow.")


@dataclass(frozen=True, slots=True)
class Write:
    info: Info
    org_id: int

    @property
    def client(self) -> OpenSolarClient:
        return self.info.context.services.opensolar

    @property
    def token(self) -> str:
        return self.info.context.loaders.token

    def link(self, kind: str, item_id: int) -> str:
        return self.client.link(self.org_id, kind, item_id)

    async def done(self, kind: str, item_id: int | None, change: Change, *, project_id: int | None = None) -> None:
        """Evict what the write made stale (here and on every replica) and forget this request's memo."""
        await self.evict(write_tags(self.org_id, kind, item_id, change, project_id=project_id))
        loaders = self.info.context.loaders
        memo: dict[str, DataLoader[tuple[int, int], Any]] = {
            "project": loaders.project,
            "contact": loaders.contact,
            "file": loaders.private_file,
        }
        for loader, key in ((memo.get(kind), item_id), (loaders.project, project_id)):
            if loader is not None and key is not None:
                with contextlib.suppress(KeyError):  # DataLoader.clear raises on a key it never loaded
                    loader.clear((self.org_id, key))

    async def evict(self, tags: Iterable[str]) -> None:
        await invalidate(self.info.context.services, tags)


def start(info: Info, org_id: strawberry.ID | None) -> Write:
    """The write's org (the argument, else the configured default); checks the credential first."""
    write = Write(info, info.context.org_id(org_id))
    _ = write.token  # UNAUTHENTICATED before any check that might call upstream
    return write
