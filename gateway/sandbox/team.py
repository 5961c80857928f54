"""The sandbox orgs' people and pipeline: team members (roles), workflows with stages, file tags.

Stage ids follow the reference's example (workflow 10422, stages from 52144): a seeded project's
``active_stage_id`` is ``52144 + stage``, and each stage's milestone is what the deprecated
``stage`` field reports (0 Presale, 1 Lock Pricing, 2 Sold, 3 Installed, 4 Others).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_WORKFLOW_ID",
    "DOCUMENT_TYPES",
    "FILE_TAGS",
    "FIRST_STAGE_ID",
    "Role",
    "Stage",
    "WorkflowDef",
    "seed_roles",
    "seed_workflows",
]

DEFAULT_WORKFLOW_ID = 10422
FIRST_STAGE_ID = 52144
# File tags are a global reference table (/api/file_tags/<id>/); 47 is the reference's example.
FILE_TAGS: dict[int, str] = {47: "Extra File", 48: "Contract", 49: "Proposal", 50: "Site Photo", 51: "Permit"}
# What the sandbox can generate; the reference documents the route but not the list of types.
DOCUMENT_TYPES: dict[str, int] = {  # document type -> the file tag its saved file gets
    "proposal": 49,
    "contract": 48,
    "owners_manual": 47,
    "shade_report": 47,
    "structural_report": 51,
    "permit_pack": 51,
}


@dataclass(slots=True)
class Role:
    id: int
    org_id: int
    first_name: str
    family_name: str
    email: str
    phone: str
    job_title: str
    is_admin: bool = False
    accreditation: str = ""

    @property
    def display(self) -> str:
        return f"{self.first_name} {self.family_name}"


@dataclass(frozen=True, slots=True)
class Stage:
    id: int
    title: str
    milestone: int
    order: int


@dataclass(slots=True)
class WorkflowDef:
    id: int
    org_id: int
    title: str
    stages: tuple[Stage, ...]
    is_default: bool = False
    is_archived: bool = False


_PEOPLE = (  # first, family, job title, admin
    ("Pat", "Installer", "Lead installer", False),
    ("Sam", "Designer", "System designer", False),
    ("Riley", "Seller", "Sales consultant", False),
    ("Jo", "Inspector", "Site inspector", False),
    ("Morgan", "Owner", "Managing director", True),
)
_STAGES = (
    ("New lead", 0),
    ("Pricing locked", 1),
    ("Contract signed", 2),
    ("Installed", 3),
    ("Closed", 4),
)


def seed_roles(org_id: int, first_id: int) -> list[Role]:
    return [
        Role(
            first_id + index,
            org_id,
            first,
            family,
            f"{first}.{family}@solar{org_id % 1000:03d}.com".lower(),
            f"+1 555 02{index:02d} 0000",
            title,
            admin,
        )
        for index, (first, family, title, admin) in enumerate(_PEOPLE)
    ]


def seed_workflows(org_id: int, offset: int) -> list[WorkflowDef]:
    """The org's default workflow (the reference's ids for the first org) and a second, archived one."""
    first_stage = FIRST_STAGE_ID + offset
    default = WorkflowDef(
        DEFAULT_WORKFLOW_ID + offset,
        org_id,
        "Residential solar",
        tuple(Stage(first_stage + i, title, milestone, i) for i, (title, milestone) in enumerate(_STAGES)),
        is_default=True,
    )
    archived_first = first_stage + 100
    archived = WorkflowDef(
        DEFAULT_WORKFLOW_ID + offset + 1,
        org_id,
        "Commercial (old)",
        (Stage(archived_first, "Enquiry", 0, 0), Stage(archived_first + 1, "Won", 2, 1)),
        is_archived=True,
    )
    return [default, archived]
