"""Contacts: an org's customers (projects inline brief copies in ``contacts_data``)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.upstream.opensolar.models import ContactRecord, id_from_url
from schema.info import Info
from schema.opensolar.backlinks import project_of
from schema.opensolar.fields import record_field
from schema.raw import raw_field
from schema.relay.node import Node

if TYPE_CHECKING:
    from schema.opensolar.projects import Project

__all__ = ["Contact", "ContactType", "Gender"]


_UNKNOWN = strawberry.enum_value(
    -1, description="A value this gateway does not know yet; the field's ...Raw sibling has it as sent."
)


@strawberry.enum
class Gender(Enum):
    UNSET = 0
    FEMALE = 1
    MALE = 2
    UNKNOWN = _UNKNOWN


@strawberry.enum
class ContactType(Enum):
    NORMAL = 0
    PROPOSAL_SHARE = 1
    UNKNOWN = _UNKNOWN


def _enum(cls: type[Enum]) -> object:
    # a code OpenSolar adds later reads as UNKNOWN (never as null), and ...Raw keeps it
    return lambda value: next((member for member in cls if member.value == value), cls(-1))


@strawberry.type(description="A customer contact of the org.")
class Contact(Node):
    org_id: strawberry.Private[int]
    record: strawberry.Private[ContactRecord]

    async def load_full(self, info: Info) -> ContactRecord:
        return await info.context.loaders.contact.load((self.org_id, self.record.id))

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    raw = raw_field()

    first_name = record_field("first_name", str | None)
    family_name = record_field("family_name", str | None)
    display = record_field("display", str | None)
    email = record_field("email", str | None)
    phone = record_field("phone", str | None)
    date_of_birth = record_field("date_of_birth", date | None)
    gender = record_field("gender", Gender | None, convert=_enum(Gender))  # type: ignore[arg-type]
    type = record_field("type", ContactType | None, convert=_enum(ContactType))  # type: ignore[arg-type]
    gender_raw = record_field("gender", str | None, "gender exactly as OpenSolar sent it (also when UNKNOWN).", str)
    type_raw = record_field("type", str | None, "type exactly as OpenSolar sent it (also when UNKNOWN).", str)
    identifier = record_field("identifier", str | None)
    passport_number = record_field("passport_number", str | None)
    licence_number = record_field("licence_number", str | None)
    custom_contact_info_1 = record_field("custom_contact_info_1", str | None)
    custom_contact_info_2 = record_field("custom_contact_info_2", str | None)

    @strawberry.field(description="The contact's projects (from the contact detail's project links).")
    async def projects(
        self, info: Info
    ) -> list[Annotated[Project, strawberry.lazy("schema.opensolar.projects")]] | None:
        record = self.record if self.record.has("projects") else await self.load_full(info)
        ids = [pid for pid in (id_from_url(url) for url in record.projects) if pid is not None]
        return [project_of(self.org_id, pid) for pid in ids]
