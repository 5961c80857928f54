"""The simulated OpenSolar world's records: orgs, contacts, projects, systems, files and webhooks.

Plain dataclasses the sandbox's routes read and write; ``data.py`` builds them from a seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "API_ACCESS_ORG_ID",
    "RAW_DATA_ORG_ID",
    "Contact",
    "ModuleGroup",
    "Org",
    "Place",
    "Plan",
    "PrivateFile",
    "Project",
    "System",
    "Webhook",
    "sandbox_token",
    "stamp_now",
]

RAW_DATA_ORG_ID = 1001
API_ACCESS_ORG_ID = 1002


def sandbox_token(label: str) -> str:
    """A DRF-style 40-hex token, stable for a label (the sandbox's tokens are documented, not secret)."""
    return hashlib.sha1(f"solar-gateway-sandbox:{label}".encode(), usedforsecurity=False).hexdigest()


def stamp_now() -> datetime:
    """The time a write stamps on a record (created/modified)."""
    return datetime.now(UTC)


class Plan(StrEnum):
    API_ACCESS = "api_access"
    RAW_DATA = "raw_data"


@dataclass(frozen=True, slots=True)
class Place:
    zip: str
    locality: str
    state: str
    county: str
    lat: float
    lon: float
    streets: tuple[str, ...]


@dataclass(slots=True)
class Org:
    id: int
    name: str
    plan: Plan
    token: str
    # A second user of the same org: another credential, with its own per-user throttles.
    second_token: str
    project_ids: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)
    file_ids: list[int] = field(default_factory=list)
    webhook_ids: list[int] = field(default_factory=list)
    role_ids: list[int] = field(default_factory=list)
    workflow_ids: list[int] = field(default_factory=list)
    connected_org_ids: list[int] = field(default_factory=list)
    # The API Access wallet: when empty, "new project creation will be blocked" (the FAQ).
    wallet_empty: bool = False


@dataclass(slots=True)
class Contact:
    id: int
    org_id: int
    first_name: str
    family_name: str
    email: str
    phone: str
    date_of_birth: str
    gender: int
    project_ids: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # passport_number, custom_contact_info_1, ...


@dataclass(frozen=True, slots=True)
class ModuleGroup:
    uuid: str
    module_quantity: int
    azimuth: float
    slope: float
    layout: str


@dataclass(slots=True)
class System:
    id: int
    uuid: str
    org_id: int
    project_id: int
    order: int
    module: tuple[str, str, int]
    module_quantity: int
    inverter: tuple[str, str, float, bool]
    inverter_quantity: int
    battery: tuple[str, str, float] | None
    module_groups: tuple[ModuleGroup, ...]
    price_including_tax: float
    output_annual_kwh: int
    specific_yield: float

    @property
    def kw_stc(self) -> float:
        return round(self.module_quantity * self.module[2] / 1000, 3)

    @property
    def ac_kw(self) -> float:
        return round(self.inverter_quantity * self.inverter[2], 3)

    @property
    def battery_total_kwh(self) -> float:
        return self.battery[2] if self.battery else 0.0

    @property
    def name(self) -> str:
        return f"System {self.order + 1} ({self.kw_stc:.2f} kW)"


@dataclass(slots=True)
class Project:
    id: int
    org_id: int
    identifier: str
    title: str
    address: str
    place: Place
    lat: float
    lon: float
    contact_ids: list[int]
    system_ids: list[int]
    file_ids: list[int]
    usage_annual_kwh: int
    usage_monthly: tuple[int, ...] | None
    created: datetime
    modified: datetime
    priority: int
    stage: int
    sold_system_id: int | None
    is_residential: bool = True
    workflow_id: int | None = None
    active_stage_id: int | None = None
    usage_source: str | None = None  # set by a usage update: kwh_annual, bill_monthly, estimate, ...
    usage_values: Any = None
    # Writable fields with no seeded value (notes, custom_project_info_1, serial numbers, ...).
    extra: dict[str, Any] = field(default_factory=dict)
    # assigned_role, assigned_designer_role, ... -> role id
    roles: dict[str, int] = field(default_factory=dict)
    shared_with: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class PrivateFile:
    id: int
    org_id: int
    project_id: int | None
    title: str
    extension: str
    filesize: int
    created: datetime
    tag_id: int
    tag_title: str
    tag_ids: list[int] = field(default_factory=list)  # after a PATCH of file_tags
    show_customer: bool = False
    temporary: bool = False
    modified: datetime | None = None


@dataclass(slots=True)
class Webhook:
    id: int
    org_id: int
    endpoint: str
    enabled: bool
    debug: bool
    trigger_fields: list[str]
    payload_fields: list[str]
    headers: str
