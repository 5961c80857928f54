"""Seeded, deterministic data for the simulated OpenSolar orgs.

Two orgs: one on the Raw Data API Access plan (design, custom_data and proposal data) and one on the
plain API Access plan. Each has its own bearer token; a token used on the other org gets a 403.
The same seed always gives the same orgs, ids, addresses, systems and designs.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from gateway.sandbox.records import (
    API_ACCESS_ORG_ID,
    RAW_DATA_ORG_ID,
    Contact,
    ModuleGroup,
    Org,
    Place,
    Plan,
    PrivateFile,
    Project,
    System,
    Webhook,
    sandbox_token,
)
from gateway.sandbox.team import Role, WorkflowDef, seed_roles, seed_workflows

__all__ = ["MODULES", "PLACES", "SandboxData"]

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
