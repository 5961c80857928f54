"""The Strawberry graph: OpenSolar org resources, Arcadia incentives, and the two stitched together."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from schema.context import Context
from schema.errors import ErrorCodes
from schema.incentives.queries import IncentiveQueries
from schema.info import Info
from schema.opensolar.org import Org
from schema.opensolar.webhooks import WebhookMutations

__all__ = ["Context", "Mutation", "Query", "build_schema"]


@strawberry.type
class Query(IncentiveQueries):
    @strawberry.field(description="An OpenSolar org; defaults to OPENSOLAR_ORG_ID (the sandbox's Raw Data org).")
    def org(self, info: Info, id: strawberry.ID | None = None) -> Org | None:
        return Org(org_id=info.context.org_id(id))


@strawberry.type
class Mutation(WebhookMutations):
    pass


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[ErrorCodes],
        config=StrawberryConfig(),
    )
