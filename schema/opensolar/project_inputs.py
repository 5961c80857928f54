"""Inputs for project writes, and the upstream bodies they become once checked.

Field names follow the upstream's (camelCase here, snake_case upstream); relations become DRF
hyperlinks. Every check runs before any upstream call and fails as ``BAD_REQUEST`` with
``extensions.argument`` naming the input field (``input.lat``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import BadRequestError
from schema.opensolar.checks import described, given, id_list, in_range, text
from schema.opensolar.contact_inputs import ContactInput, contact_body

__all__ = ["ProjectCreateInput", "ProjectPatch", "project_body"]

MAX_CONTACTS = 20

# python attribute -> (upstream field, max characters)
TEXT_FIELDS: dict[str, tuple[str, int]] = {
    "title": ("title", 200),
    "address": ("address", 255),
    "locality": ("locality", 100),
    "state": ("state", 100),
    "zip": ("zip", 20),
    "county": ("county", 100),
    "business_name": ("business_name", 255),
    "lead_source": ("lead_source", 255),
    "notes": ("notes", 10_000),
    "site_notes": ("site_notes", 10_000),
    "language": ("language", 10),
    "serial_numbers_panels": ("serial_numbers_panels", 10_000),
    "serial_numbers_inverters": ("serial_numbers_inverters", 10_000),
    "serial_numbers_batteries": ("serial_numbers_batteries", 10_000),
    **{f"custom_project_info_{n}": (f"custom_project_info_{n}", 255) for n in range(1, 6)},
}
# python attribute -> (low, high), for the integer and float fields
RANGES: dict[str, tuple[float, float]] = {
    "lat": (-90, 90),
    "lon": (-180, 180),
    "priority": (1, 3),
    "number_of_phases": (1, 3),
    "number_of_storeys": (1, 200),
}


@strawberry.input(
    description="Changes to a project (PATCH): only the fields given are sent; null clears a field. "
    "Lengths are in characters."
)
class ProjectPatch:
    title: str | None = described("The project's title (at most 200).")
    address: str | None = described("Street address (at most 255).")
    locality: str | None = described("City or suburb (at most 100).")
    state: str | None = described("State or region, e.g. 'CA' (at most 100).")
    zip: str | None = described("Postal code (at most 20).")
    county: str | None = described("County (at most 100).")
    country_iso2: str | None = described("Country as an ISO 3166-1 alpha-2 code, e.g. 'US'.")
    lat: float | None = described("Latitude in decimal degrees (WGS84), -90 to 90.")
    lon: float | None = described("Longitude in decimal degrees (WGS84), -180 to 180.")
    is_residential: bool | None = described("Residential (true) or commercial (false).")
    business_name: str | None = described("Business name for commercial projects (at most 255).")
    lead_source: str | None = described("Where the lead came from (at most 255).")
    notes: str | None = described("Internal notes (at most 10,000).")
    site_notes: str | None = described("Site notes (at most 10,000).")
    priority: int | None = described("Priority: 1 low, 2 medium, 3 high.")
    number_of_phases: int | None = described("Electrical phases at the site: 1 to 3.")
    number_of_storeys: int | None = described("Storeys of the building: 1 to 200.")
    installation_date: dt.date | None = described("Installation date (YYYY-MM-DD).")
    contract_date: dt.date | None = described("Contract date (YYYY-MM-DD).")
    language: str | None = described("Proposal language code, e.g. 'en' (at most 10).")
    custom_project_info_1: str | None = described("Custom project info 1 (at most 255).")
    custom_project_info_2: str | None = described("Custom project info 2 (at most 255).")
    custom_project_info_3: str | None = described("Custom project info 3 (at most 255).")
    custom_project_info_4: str | None = described("Custom project info 4 (at most 255).")
    custom_project_info_5: str | None = described("Custom project info 5 (at most 255).")
    serial_numbers_panels: str | None = described("Panel serial numbers, as free text (at most 10,000).")
    serial_numbers_inverters: str | None = described("Inverter serial numbers, as free text (at most 10,000).")
    serial_numbers_batteries: str | None = described("Battery serial numbers, as free text (at most 10,000).")
    contact_ids: list[strawberry.ID] | None = described(
        f"Replaces the project's contacts with these existing contacts (at most {MAX_CONTACTS})."
    )


@strawberry.input(description="A new project. OpenSolar charges the org's API Access wallet for each one created.")
class ProjectCreateInput(ProjectPatch):
    address: str = strawberry.field(description="Street address (required, at most 255).")
    contacts_new: list[ContactInput] | None = strawberry.field(
        default=None, description=f"Contacts to create with the project (at most {MAX_CONTACTS})."
    )


def _checked(name: str, value: Any, argument: str) -> Any:
    if name in TEXT_FIELDS:
        return text(value, argument, TEXT_FIELDS[name][1], required=name == "address")
    if name in RANGES:
        return in_range(value, argument, *RANGES[name])
    if name == "country_iso2" and value is not None:
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise BadRequestError(f"{argument} must be a two-letter ISO 3166-1 code.", argument=argument)
        return value.upper()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def project_body(given_input: ProjectPatch, link: Callable[[str, int], str], org_id: int) -> dict[str, Any]:
    """The upstream body of a checked project input; ``link(kind, id)`` builds a relation's URL in ``org_id``.

    A contact's global id must name a contact of ``org_id``: linked there, another org's id would name
    whichever contact of this org has the same number.
    """
    body: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, *RANGES, "country_iso2", "is_residential", "installation_date", "contract_date"):
        value = getattr(given_input, name)
        if given(value):
            body[name] = _checked(name, value, f"input.{to_camel_case(name)}")
    if given(given_input.contact_ids):
        ids = id_list(given_input.contact_ids, "input.contactIds", MAX_CONTACTS, "Contact", org_id)
        body["contacts"] = [link("contacts", cid) for cid in ids]
    if isinstance(given_input, ProjectCreateInput) and given_input.contacts_new:
        if len(given_input.contacts_new) > MAX_CONTACTS:
            raise BadRequestError(f"input.contactsNew takes at most {MAX_CONTACTS}.", argument="input.contactsNew")
        body["contacts_new"] = [
            contact_body(c, f"input.contactsNew.{i}", required=True) for i, c in enumerate(given_input.contacts_new)
        ]
    return body
