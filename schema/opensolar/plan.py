"""Which OpenSolar API plan an org is on, inferred from what OpenSolar answers (it says so nowhere).

Proposal data (``/api/user_logins/``) is the one documented plan signal: it answers 402 Payment Required
unless the org has Raw Data API Access. The probe asks for the proposal of the org's first project, through
the request's loaders, so a query that also reads that proposal or the first projects page pays nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry

from gateway.errors import NotFoundError, PlanRequiredError, UpstreamError
from schema.info import Info
from schema.loaders import PageKey
from schema.pagination import DEFAULT_FIRST

__all__ = ["ApiPlan", "PlanInference", "infer_plan"]


@strawberry.enum(description="OpenSolar's API products (wallet plans), since 17 March 2026.")
class ApiPlan(Enum):
    API_ACCESS = strawberry.enum_value(
        "API_ACCESS",
        description="API Access: projects, contacts, systems, files, webhooks; no design, no "
        "custom_data, no proposal data (402).",
    )
    RAW_DATA = strawberry.enum_value(
        "RAW_DATA",
        description="Raw Data API Access: everything in API Access plus the design, custom_data and proposal data.",
    )
    UNKNOWN = strawberry.enum_value(
        "UNKNOWN", description="Could not be told: the org has no project to probe, or the probe failed."
    )


@dataclass(frozen=True, slots=True)
class PlanInference:
    plan: ApiPlan
    evidence: str


async def infer_plan(info: Info, org_id: int) -> PlanInference:
    rows = await info.context.loaders.projects_page.load(PageKey("projects", org_id, 1, DEFAULT_FIRST))
    if not rows:
        return PlanInference(ApiPlan.UNKNOWN, "The org has no project whose proposal data could be asked for.")
    project_id = rows[0].id
    asked = f"Proposal data (GET /api/user_logins/?project_ids={project_id})"
    try:
        await info.context.loaders.proposal.load(project_id)
    except PlanRequiredError:
        return PlanInference(ApiPlan.API_ACCESS, f"{asked} answered 402 Payment Required: Raw Data is not enabled.")
    except NotFoundError as exc:
        if exc.status != 200:  # 200 without the project (an unsold one) still proves the plan allows the call
            return PlanInference(ApiPlan.UNKNOWN, f"{asked} answered {exc.code}.")
    except UpstreamError as exc:
        return PlanInference(ApiPlan.UNKNOWN, f"{asked} failed with {exc.code}; the plan could not be told.")
    return PlanInference(ApiPlan.RAW_DATA, f"{asked} was served: only Raw Data API Access includes it.")
