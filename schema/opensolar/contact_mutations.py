"""Contact mutations: create, update (OpenSolar's PUT, which keeps fields left out), upsert, delete.

Each is one upstream call, checked first, never retried, and evicts the contact, the list pages and
every project that inlines it (``contacts_data``) on every replica.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.info import Info
from schema.opensolar.contact_inputs import ContactInput, contact_body
from schema.opensolar.contacts import Contact
from schema.opensolar.writing import Change, ContactId, Deleted, OrgArg, arg, start

__all__ = ["ContactMutations"]

NewContact = Annotated[ContactInput, arg("The contact's fields (a name or an email at least).")]
ContactChanges = Annotated[ContactInput, arg("The fields to change; the rest stay.")]


async def _create(info: Info, given: ContactInput, org_id: strawberry.ID | None) -> Contact:
    write = start(info, org_id)
    record = await write.client.create_contact(write.token, write.org_id, contact_body(given, required=True))
    await write.done("contact", record.id, Change.CREATE)
    return Contact(org_id=write.org_id, record=record)


async def _update(info: Info, id: strawberry.ID, given: ContactInput, org_id: strawberry.ID | None) -> Contact:
    write = start(info, org_id, id)
    contact_id = write.id(id, "id", "Contact")
    record = await write.client.update_contact(write.token, write.org_id, contact_id, contact_body(given))
    await write.done("contact", contact_id, Change.UPDATE)
    return Contact(org_id=write.org_id, record=record)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(description="Create a contact (POST). 1 upstream call.")
    async def create_contact(self, info: Info, input: NewContact, org_id: OrgArg = None) -> Contact:
        return await _create(info, input, org_id)

    @strawberry.mutation(description="Change a contact (PUT; fields left out stay as they are). 1 upstream call.")
    async def update_contact(self, info: Info, id: ContactId, input: ContactChanges, org_id: OrgArg = None) -> Contact:
        return await _update(info, id, input, org_id)

    @strawberry.mutation(
        description="What a CRM sync sends: update the contact when id is given, else create it. 1 upstream call."
    )
    async def upsert_contact(
        self,
        info: Info,
        input: Annotated[ContactInput, arg("The contact's fields.")],
        id: Annotated[
            strawberry.ID | None,
            arg("The contact to update (global id or upstream integer id); null or left out: create one."),
        ] = None,
        org_id: OrgArg = None,
    ) -> Contact:
        if id is None:
            return await _create(info, input, org_id)
        return await _update(info, id, input, org_id)

    @strawberry.mutation(description="Delete a contact (DELETE); it leaves its projects. 1 upstream call.")
    async def delete_contact(self, info: Info, id: ContactId, org_id: OrgArg = None) -> Deleted:
        write = start(info, org_id, id)
        return await write.delete(id, "Contact", write.client.delete_contact, stale="contact", kind="contact")
