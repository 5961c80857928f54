"""The contact input (create, update, and ``contactsNew`` on project create) and its upstream body."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import BadRequestError
from schema.opensolar.checks import described, given, text
from schema.opensolar.contacts import Gender

__all__ = ["ContactInput", "contact_body"]

# python attribute -> max characters (OpenSolar's contact fields, snake_case upstream)
TEXT_FIELDS = {
    "first_name": 100,
    "family_name": 100,
    "phone": 50,
    "passport_number": 100,
    "licence_number": 100,
    "custom_contact_info_1": 255,
    "custom_contact_info_2": 255,
}
MAX_EMAIL_CHARS = 254  # RFC 5321's path limit
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@strawberry.input(
    description="A contact's fields. On update only the fields given are sent (OpenSolar's PUT keeps the "
    "rest); null clears a field. Lengths are in characters."
)
class ContactInput:
    first_name: str | None = described("First name (at most 100).")
    family_name: str | None = described("Family name (at most 100).")
    email: str | None = described("Email address (at most 254).")
    phone: str | None = described("Phone number, as free text (at most 50).")
    date_of_birth: dt.date | None = described("Date of birth (YYYY-MM-DD).")
    gender: Gender | None = described("Gender: UNSET (0), FEMALE (1) or MALE (2), as OpenSolar codes it.")
    passport_number: str | None = described("Passport number (at most 100).")
    licence_number: str | None = described("Driving licence number (at most 100).")
    custom_contact_info_1: str | None = described("Custom contact info 1 (at most 255).")
    custom_contact_info_2: str | None = described("Custom contact info 2 (at most 255).")


def contact_body(contact: ContactInput, prefix: str = "input", *, required: bool = False) -> dict[str, Any]:
    """The checked upstream body; ``required``: a new contact needs a name or an email."""
    body: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        value = getattr(contact, name)
        if given(value):
            body[name] = text(value, f"{prefix}.{to_camel_case(name)}", limit)
    if given(contact.email):
        email = text(contact.email, f"{prefix}.email", MAX_EMAIL_CHARS)
        if email and not _EMAIL.match(email):
            raise BadRequestError(f"{prefix}.email is not an email address.", argument=f"{prefix}.email")
        body["email"] = email
    if given(contact.date_of_birth):
        body["date_of_birth"] = contact.date_of_birth.isoformat() if contact.date_of_birth else None
    if given(contact.gender):
        body["gender"] = contact.gender.value if contact.gender is not None else 0
    if required and not any(body.get(k) for k in ("first_name", "family_name", "email")):
        raise BadRequestError(f"{prefix} needs a firstName, familyName or email.", argument=prefix)
    if not body:
        raise BadRequestError(f"{prefix} is empty: give at least one field.", argument=prefix)
    return body
