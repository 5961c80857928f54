"""The Incentive type: every field of the seed's Incentive object, with its documents and estimate."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import strawberry

from gateway.upstream.arcadia.models import IncentiveRecord
from schema.incentives.applicability import Applicability, PropertyKey
from schema.incentives.enums import CustomerClass, Eligibility, IncentiveType, RateUnit, enum_of
from schema.incentives.estimate import Terms, estimate
from schema.incentives.estimate_types import IncentiveEstimate, numeric_inputs
from schema.raw import raw_field
from schema.relay.node import Node

__all__ = ["Incentive", "IncentiveDocument"]


@strawberry.type(description="A solar incentive (Arcadia Solar Incentives API).")
class Incentive(Node):
    record: strawberry.Private[IncentiveRecord]
    inputs: strawberry.Private[Mapping[str, str]]

    def node_key(self) -> tuple[int, ...]:
        # the id Query.incentive(id:) takes; a record without one is read back by its version id
        master = self.record.master_incentive_id
        return (master if master is not None else self.record.incentive_id,)

    raw = raw_field()

    @strawberry.field
    def incentive_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.incentive_id))

    @strawberry.field(description="Tracks one incentive across versions; the id Query.incentive takes.")
    def master_incentive_id(self) -> strawberry.ID | None:
        value = self.record.master_incentive_id
        return strawberry.ID(str(value)) if value is not None else None

    @strawberry.field(description="As Arcadia computed it for the inputs of this search (null outside a search).")
    def eligibility(self) -> Eligibility | None:
        return enum_of(Eligibility, self.record.eligibility)

    @strawberry.field(description="eligibility exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def eligibility_raw(self) -> str | None:
        return self.record.eligibility

    @strawberry.field
    def required_data(self) -> list[Applicability] | None:
        return Applicability.many(self.record.required_data)

    @strawberry.field
    def tariff_code(self) -> str | None:
        return self.record.tariff_code

    @strawberry.field
    def incentive_name(self) -> str | None:
        return self.record.incentive_name

    @strawberry.field
    def project_type(self) -> str | None:
        return self.record.project_type

    @strawberry.field
    def incentive_type(self) -> IncentiveType | None:
        return enum_of(IncentiveType, self.record.incentive_type)

    @strawberry.field(description="incentiveType exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def incentive_type_raw(self) -> str | None:
        return self.record.incentive_type

    @strawberry.field
    def state(self) -> str | None:
        return self.record.state

    @strawberry.field
    def lse_id(self) -> int | None:
        return self.record.lse_id

    @strawberry.field
    def lse_name(self) -> str | None:
        return self.record.lse_name

    @strawberry.field
    def lse_code(self) -> str | None:
        return self.record.lse_code

    @strawberry.field
    def service_type(self) -> str | None:
        return self.record.service_type

    @strawberry.field
    def customer_class(self) -> CustomerClass | None:
        return enum_of(CustomerClass, self.record.customer_class)

    @strawberry.field(description="customerClass exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def customer_class_raw(self) -> str | None:
        return self.record.customer_class

    @strawberry.field
    def start_date(self) -> date | None:
        return self.record.start_date

    @strawberry.field
    def end_date(self) -> date | None:
        return self.record.end_date

    @strawberry.field
    def is_exhausted(self) -> bool | None:
        return self.record.is_exhausted

    @strawberry.field(description="Who offers it (federal, state, utility, ...); decides which taxes a credit hits.")
    def jurisdiction(self) -> str | None:
        return self.record.jurisdiction

    @strawberry.field
    def quantity_key(self) -> PropertyKey | None:
        return PropertyKey.of(self.record.quantity_key)

    @strawberry.field
    def rate(self) -> float | None:
        return self.record.rate

    @strawberry.field
    def rate_unit(self) -> RateUnit | None:
        return enum_of(RateUnit, self.record.rate_unit)

    @strawberry.field(description="rateUnit exactly as Arcadia sent it (also when it is UNKNOWN here).")
    def rate_unit_raw(self) -> str | None:
        return self.record.rate_unit

    @strawberry.field(description="The most of quantityKey that counts, as Arcadia sends it (a string).")
    def quantity_key_cap(self) -> str | None:
        return self.record.quantity_key_cap

    @strawberry.field(description="Maximum amount in USD; 0 or null means no cap.")
    def payment_cap(self) -> float | None:
        return self.record.payment_cap

    @strawberry.field
    def percent_cost_cap_key(self) -> PropertyKey | None:
        return PropertyKey.of(self.record.percent_cost_cap_key)

    @strawberry.field(description="The most of percentCostCapKey's cost the incentive may cover.")
    def percent_cost_cap(self) -> float | None:
        return self.record.percent_cost_cap

    @strawberry.field(description="Years the payment recurs; 1 for a one-time incentive.")
    def payment_duration(self) -> int | None:
        return self.record.payment_duration

    @strawberry.field
    def incentive_paid_to(self) -> str | None:
        return self.record.incentive_paid_to

    @strawberry.field(description="True: only one incentive from this LSE/jurisdiction can be used.")
    def project_type_exclusive(self) -> bool | None:
        return self.record.project_type_exclusive

    @strawberry.field
    def territory_id(self) -> int | None:
        return self.record.territory_id

    @strawberry.field
    def summary(self) -> str | None:
        return self.record.summary

    @strawberry.field
    def requirements(self) -> str | None:
        return self.record.requirements

    @strawberry.field
    def applicabilities(self) -> list[Applicability] | None:
        return Applicability.many(self.record.applicabilities) if self.record.applicabilities is not None else None

    @strawberry.field(description="Links to the incentive's documents (Query.incentive with populateDocuments).")
    def documents(self) -> list[IncentiveDocument] | None:
        docs = self.record.documents
        return (
            None
            if docs is None
            else [IncentiveDocument(id=d.document_id, title=d.document_title, url=d.link) for d in docs]
        )

    @strawberry.field(description="Estimated value for the applicability inputs this incentive was fetched with.")
    def estimate(self) -> IncentiveEstimate:
        return IncentiveEstimate(data=estimate(Terms.of(self.record), numeric_inputs(self.inputs)))


@strawberry.type
class IncentiveDocument:
    id: int | None
    title: str | None
    url: str | None
