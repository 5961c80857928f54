"""The Strawberry graph: OpenSolar org resources, Arcadia incentives, and the two stitched together."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.configs import QueryLimitsConfig
from gateway.errors import GatewayError
from schema import plain_resolvers
from schema.cacheability import Cacheability
from schema.context import Context
from schema.core_types import core_types
from schema.descriptions import describe
from schema.documents import ValidatedDocuments, validated_documents
from schema.error_extensions import ErrorCodes, StaleReads, coded_error, stale_in_later_parts
from schema.execution_context import AcyclicExecutionContext
from schema.incentives.queries import IncentiveQueries
from schema.incremental import IncrementalChecks, coding_later_parts
from schema.info import Info
from schema.node_queries import NodeQueries
from schema.opensolar.changes import Subscription
from schema.opensolar.contact_mutations import ContactMutations
from schema.opensolar.file_mutations import FileMutations
from schema.opensolar.org import Org
from schema.opensolar.project_mutations import ProjectMutations
from schema.opensolar.webhooks import WebhookMutations
from schema.opensolar.workflow_mutations import WorkflowMutations
from schema.operation_choice import OperationChoice
from schema.org_existence import OrgCheck, OrgExistence
from schema.pagination import note_cursors
from schema.query_limits import limit_extensions
from schema.scans import ScanReports
from schema.socket_deadline import SocketDeadline
from schema.telemetry import OperationTelemetry

__all__ = ["Context", "Mutation", "Query", "build_schema"]

logger = logging.getLogger("gateway.graphql")


@strawberry.type
class Query(NodeQueries, IncentiveQueries):
    @strawberry.field(
        description="An OpenSolar org; defaults to OPENSOLAR_ORG_ID (the sandbox's Raw Data org). Null with one "
        "error here when it does not exist (NOT_FOUND), the caller may not read it (FORBIDDEN) or has no valid "
        "credential (UNAUTHENTICATED). Checked once its fields ran: no org call when a read below answered (a "
        "project or a list proves the org), else one org call (GET /api/orgs/:org_id/), cached for an hour, shared "
        "with name and made alongside the other reads."
    )
    def org(self, info: Info, id: strawberry.ID | None = None) -> Org | None:
        org_id = info.context.org_id(id)
        # an org that is not there is null, not an echoed id: decided once its fields ran (schema/org_existence.py)
        info.context.org_checks.append(OrgCheck(str(info.path.key), org_id, tuple(info._raw_info.field_nodes)))
        return Org(org_id=org_id)


@strawberry.type
class Mutation(ProjectMutations, ContactMutations, FileMutations, WorkflowMutations, WebhookMutations):
    pass


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Strawberry logs every error with a traceback; here only what the ErrorCodes extension did not
        already account for. Gateway errors (THROTTLED, NOT_FOUND, ...) are answers, not server faults."""
        for error in errors:
            if not isinstance(error.original_error, GatewayError):
                logger.debug("graphql error: %s", error.message)

    def _get_execute_function(self) -> Any:
        """graphql-core's incremental executor, whose later parts' errors get their codes as they come, and
        whose later parts list the reads served stale for them."""
        return coding_later_parts(super()._get_execute_function(), coded_error, stale_in_later_parts)


def build_schema(limits: QueryLimitsConfig | None = None) -> strawberry.Schema:
    """The schema; ``limits`` None builds it without request limits (for printing the SDL)."""
    # Order matters: post-operation hooks run in reverse, so telemetry sees the codes ErrorCodes sets.
    extensions: list[Any] = [
        OperationTelemetry,
        ErrorCodes,
        StaleReads,
        ScanReports,
        Cacheability,
        IncrementalChecks,
        SocketDeadline,
        OrgExistence,
    ]
    if limits is not None:
        # reuse first: a remembered document skips the token limit's parse and every validation rule; the
        # operation choice before validation (its error leaves the document unremembered)
        extensions = [
            validated_documents(ValidatedDocuments()),
            *limit_extensions(limits),
            OperationChoice,
            *extensions,
        ]
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=AcyclicExecutionContext,  # what a request reached goes without the cycle collector
        # "Did you mean ...?" reconstructs the schema when introspection is off (OWASP, graphql-armor)
        config=StrawberryConfig(
            disable_field_suggestions=limits is not None and not limits.introspection,
            enable_experimental_incremental_execution=True,
        ),
    )
    types = core_types(schema)  # the graphql-core types, through public API (see schema/core_types.py)
    describe(types)  # fill in what the types' modules leave undescribed (schema/descriptions/)
    note_cursors(types)  # what a cursor survives, on every connection field (schema/pagination.py)
    # plain resolvers skip Strawberry's per-field wrapper (see schema/plain_resolvers.py)
    plain_resolvers.install(types)
    return schema
