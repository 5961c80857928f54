"""Seeded, deterministic data for the simulated OpenSolar orgs.

Two orgs: one on the Raw Data API Access plan (design, custom_data and proposal data) and one on the
plain API Access plan. Each has its own bearer token; a token used on the other org gets a 403.
The same seed always gives the same orgs, ids, addresses, systems and designs.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from gateway.sandbox.team import Role, WorkflowDef, seed_roles, seed_workflows

__all__ = [
    "PLACES",
    "Contact",
    "Org",
    "Place",
    "Plan",
    "PrivateFile",
    "Project",
    "SandboxData",
    "System",
    "Webhook",
    "sandbox_token",
]

RAW_DATA_ORG_ID = 1001
API_ACCESS_ORG_ID = 1002


def sandbox_token(label: str) -> str:
    """A DRF-style 40-hex token, stable for a label (the sandbox's tokens are documented, not secret)."""
    return hashlib.sha1(f"solar-gateway-sandbox:{label}".encode(), usedforsecurity=False).hexdigest()


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


PLACES: tuple[Place, ...] = (
    Place("94105", "San Francisco", "CA", "San Francisco County", 37.7898, -122.3942, ("Folsom St", "Howard St")),
    Place("95448", "Healdsburg", "CA", "Sonoma County", 38.6102, -122.8694, ("Matheson St", "Fitch St")),
    Place("92101", "San Diego", "CA", "San Diego County", 32.7195, -117.1628, ("Kettner Blvd", "India St")),
    Place("11215", "Brooklyn", "NY", "Kings County", 40.6673, -73.9862, ("7th Ave", "Prospect Park W")),
    Place("12203", "Albany", "NY", "Albany County", 42.6814, -73.8398, ("Western Ave", "Manning Blvd")),
    Place("07030", "Hoboken", "NJ", "Hudson County", 40.7445, -74.0324, ("Bloomfield St", "Garden St")),
    Place("02139", "Cambridge", "MA", "Middlesex County", 42.3647, -71.1042, ("Putnam Ave", "Magazine St")),
    Place("85004", "Phoenix", "AZ", "Maricopa County", 33.4515, -112.0685, ("Roosevelt St", "Portland St")),
    Place("80202", "Denver", "CO", "Denver County", 39.7525, -104.9995, ("Larimer St", "Market St")),
    Place("78701", "Austin", "TX", "Travis County", 30.2711, -97.7437, ("Rio Grande St", "Nueces St")),
)

FIRST_NAMES = ("Ada", "Grace", "Nikola", "Marie", "Alan", "Katherine", "Edmond", "Hedy", "Claude", "Rosalind")
FAMILY_NAMES = ("Lovelace", "Hopper", "Tesla", "Curie", "Turing", "Johnson", "Becquerel", "Lamarr", "Shannon")
MODULES = (  # manufacturer, code, watts
    ("Jinko Solar Co., Ltd", "JKM400M-54HL4-B", 400),
    ("REC Solar", "REC405AA", 405),
    ("Qcells", "Q.PEAK DUO BLK ML-G10+ 400", 400),
    ("LG Electronics Inc.", "LG345N1C-V5", 345),
    ("Canadian Solar", "CS6R-410MS", 410),
)
INVERTERS = (  # manufacturer, code, AC kW per unit, microinverter
    ("SolarEdge", "SE7600H-US", 7.6, False),
    ("Fronius", "Primo 5.0-1", 5.0, False),
    ("SMA", "SB7.7-1SP-US-41", 7.7, False),
    ("Enphase Energy", "IQ8PLUS-72-2-US", 0.29, True),
)
BATTERIES = (("Tesla", "Powerwall 3", 13.5), ("Enphase Energy", "IQ Battery 5P", 5.0))
FILE_KINDS = (
    ("Site photos", "jpg"),
    ("Signed contract", "pdf"),
    ("Utility bill", "pdf"),
    ("Permit set", "pdf"),
)
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


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


class SandboxData:
    """The whole simulated OpenSolar world, built from a seed."""

    def __init__(self, *, seed: int = 7, raw_data_projects: int = 120, api_access_projects: int = 30) -> None:
        self._rng = random.Random(seed)
        self.orgs: dict[int, Org] = {}
        self.contacts: dict[int, Contact] = {}
        self.projects: dict[int, Project] = {}
        self.systems: dict[int, System] = {}
        self.files: dict[int, PrivateFile] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.roles: dict[int, Role] = {}
        self.workflows: dict[int, WorkflowDef] = {}
        self.deleted_projects: set[int] = set()
        self._next = {
            "contact": 5001,
            "project": 3001,
            "system": 8001,
            "file": 9001,
            "webhook": 701,
            "event": 60001,
        }
        self._build_org(RAW_DATA_ORG_ID, "Sunrise Solar Co (sandbox, Raw Data plan)", Plan.RAW_DATA, raw_data_projects)
        self._build_org(
            API_ACCESS_ORG_ID,
            "Harbor Energy (sandbox, API Access plan)",
            Plan.API_ACCESS,
            api_access_projects,
        )

    def token_org(self, token: str) -> Org | None:
        return next((org for org in self.orgs.values() if token in (org.token, org.second_token)), None)

    def next_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4)).upper()

    def _build_org(self, org_id: int, name: str, plan: Plan, n_projects: int) -> None:
        org = Org(
            org_id,
            name,
            plan,
            sandbox_token(f"{plan.value}:{org_id}"),
            sandbox_token(f"{plan.value}:{org_id}:second-user"),
        )
        self.orgs[org_id] = org
        for role in seed_roles(org_id, 101776 + (org_id - RAW_DATA_ORG_ID) * 100):
            self.roles[role.id] = role
            org.role_ids.append(role.id)
        for workflow in seed_workflows(org_id, (org_id - RAW_DATA_ORG_ID) * 1000):
            self.workflows[workflow.id] = workflow
            org.workflow_ids.append(workflow.id)
        for index in range(n_projects):
            self._build_project(org, index)
        for _ in range(max(2, n_projects // 10)):  # leads with no project yet
            org.contact_ids.append(self._build_contact(org).id)
        other = API_ACCESS_ORG_ID if org_id == RAW_DATA_ORG_ID else RAW_DATA_ORG_ID
        org.connected_org_ids.append(other)  # the two sandbox orgs are connected (Teams)
        if plan is Plan.RAW_DATA:
            self._add_webhook(org, "https://crm.example.com/hooks/opensolar", ["project.*"], ["project.*"])
            self._add_webhook(org, "https://erp.example.com/opensolar", ["contact.*"], [], enabled=False)

    def _add_webhook(
        self, org: Org, endpoint: str, triggers: list[str], payload: list[str], enabled: bool = True
    ) -> None:
        webhook = Webhook(
            self.next_id("webhook"),
            org.id,
            endpoint,
            enabled,
            False,
            triggers,
            payload,
            '{"Authorization": "Token sandbox-receiver-secret"}',
        )
        self.webhooks[webhook.id] = webhook
        org.webhook_ids.append(webhook.id)

    def _build_contact(self, org: Org) -> Contact:
        rng = self._rng
        first, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
        contact_id = self.next_id("contact")
        contact = Contact(
            contact_id,
            org.id,
            first,
            family,
            f"{first}.{family}.{contact_id}@example.com".lower(),
            f"+1 555 01{rng.randrange(10, 99)} {rng.randrange(1000, 9999)}",
            f"{rng.randrange(1950, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            rng.choice((0, 1, 2)),
        )
        self.contacts[contact_id] = contact
        return contact

    def _build_project(self, org: Org, index: int) -> None:
        rng = self._rng
        place = PLACES[index % len(PLACES)]
        project_id = self.next_id("project")
        address = f"{rng.randrange(10, 2999)} {rng.choice(place.streets)}"
        usage = rng.randrange(4200, 16800, 10)
        created = EPOCH + timedelta(hours=index * 7, minutes=rng.randrange(60), microseconds=rng.randrange(10**6))
        project = Project(
            id=project_id,
            org_id=org.id,
            identifier=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            title=address,
            address=address,
            place=place,
            lat=round(place.lat + rng.uniform(-0.01, 0.01), 6),
            lon=round(place.lon + rng.uniform(-0.01, 0.01), 6),
            contact_ids=[],
            system_ids=[],
            file_ids=[],
            usage_annual_kwh=usage,
            usage_monthly=self._monthly(usage) if index % 3 == 0 else None,
            created=created,
            modified=created + timedelta(days=rng.randrange(0, 40), seconds=rng.randrange(86400)),
            priority=rng.choice((1, 2, 3)),
            stage=rng.choice((0, 0, 1, 2, 2, 3)),
            sold_system_id=None,
        )
        default_flow = self.workflows[org.workflow_ids[0]]
        project.workflow_id = default_flow.id
        project.active_stage_id = default_flow.stages[project.stage].id
        project.roles["assigned_role"] = org.role_ids[0]
        self.projects[project_id] = project
        org.project_ids.append(project_id)
        for _ in range(rng.choice((1, 1, 2))):
            contact = self._build_contact(org)
            contact.project_ids.append(project_id)
            project.contact_ids.append(contact.id)
            org.contact_ids.append(contact.id)
        for order in range(rng.choice((1, 1, 2, 3))):
            system = self._build_system(org, project, order)
            project.system_ids.append(system.id)
        if project.stage >= 2:
            project.sold_system_id = project.system_ids[0]
        for _ in range(rng.choice((0, 1, 2, 3))):
            self._build_file(org, project)

    def _monthly(self, annual: int) -> tuple[int, ...]:
        weights = (1.15, 1.05, 0.95, 0.85, 0.85, 1.0, 1.2, 1.25, 1.0, 0.85, 0.9, 1.1)
        scale = annual / sum(weights)
        return tuple(round(w * scale) for w in weights)

    def _build_system(self, org: Org, project: Project, order: int) -> System:
        rng = self._rng
        module = rng.choice(MODULES)
        quantity = rng.randrange(10, 41)
        inverter = rng.choice(INVERTERS)
        dc_kw = quantity * module[2] / 1000
        inverter_quantity = quantity if inverter[3] else max(1, round(dc_kw / 1.2 / inverter[2]))
        groups = self._module_groups(quantity)
        specific_yield = rng.uniform(1150, 1750)
        system = System(
            id=self.next_id("system"),
            uuid=self._uuid(),
            org_id=org.id,
            project_id=project.id,
            order=order,
            module=module,
            module_quantity=quantity,
            inverter=inverter,
            inverter_quantity=inverter_quantity,
            battery=rng.choice(BATTERIES) if rng.random() < 0.3 else None,
            module_groups=groups,
            price_including_tax=round(dc_kw * rng.uniform(2600, 3400), 2),
            output_annual_kwh=round(dc_kw * specific_yield),
            specific_yield=specific_yield,
        )
        self.systems[system.id] = system
        return system

    def _module_groups(self, quantity: int) -> tuple[ModuleGroup, ...]:
        rng = self._rng
        n_groups = min(quantity // 6, rng.choice((1, 1, 2, 3))) or 1
        sizes = [quantity // n_groups] * n_groups
        sizes[0] += quantity - sum(sizes)
        return tuple(
            ModuleGroup(
                self._uuid(),
                size,
                float(rng.choice((90, 135, 180, 180, 200, 225, 270))),
                float(rng.choice((10, 15, 18.4, 20, 22.5, 26.6, 30, 35))),
                rng.choice(("portrait", "landscape")),
            )
            for size in sizes
        )

    def _build_file(self, org: Org, project: Project) -> None:
        rng = self._rng
        title, ext = rng.choice(FILE_KINDS)
        tag_id, tag_title = (47, "Extra File") if ext == "jpg" else (48, "Contract")
        file = PrivateFile(
            self.next_id("file"),
            org.id,
            project.id,
            f"{title} - {project.title}",
            ext,
            rng.randrange(40_000, 4_000_000),
            project.created + timedelta(days=rng.randrange(1, 30)),
            tag_id,
            tag_title,
        )
        self.files[file.id] = file
        project.file_ids.append(file.id)
        org.file_ids.append(file.id)
