"""Proposal data (``/api/user_logins/``), with display strings parsed into numbers."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.upstream.opensolar.models import ProposalRecord, ProposalSystemRecord
from schema.opensolar.display_figures import parse_figure, parse_number_list
from schema.raw import raw_field
from schema.scalars import JSON, json_value

__all__ = ["Proposal", "ProposalSystem"]


@strawberry.type(
    description="One system as the proposal shows it; figures parsed from OpenSolar's display "
    "strings (percentages stay in percent)."
)
class ProposalSystem:
    record: strawberry.Private[ProposalSystemRecord]

    raw = raw_field()

    @strawberry.field
    def uuid(self) -> str | None:
        return self.record.uuid

    @strawberry.field
    def title(self) -> str | None:
        return self.record.title

    @strawberry.field
    def has_battery(self) -> bool | None:
        return self.record.has_battery

    @strawberry.field
    def battery_total_kwh(self) -> float | None:
        return self.record.battery_total_kwh

    @strawberry.field(description='From systemKwStc, e.g. "6.210".')
    def kw_stc(self) -> float | None:
        return parse_figure(self.record.system_kw_stc)

    @strawberry.field(description='From systemOutputAnnualkWh, e.g. "8,547".')
    def output_annual_kwh(self) -> float | None:
        return parse_figure(self.record.system_output_annual_kwh)

    @strawberry.field(description='From systemPaybackYear, e.g. "4.2".')
    def payback_years(self) -> float | None:
        return parse_figure(self.record.system_payback_year)

    @strawberry.field(description='From systemNetPresentValue, e.g. "$12,340" (the org\'s currency).')
    def net_present_value(self) -> float | None:
        return parse_figure(self.record.system_net_present_value)

    @strawberry.field(description='From systemIrr, in percent ("21.3%" gives 21.3).')
    def irr_percent(self) -> float | None:
        return parse_figure(self.record.system_irr)

    @strawberry.field(description="From systemReturnOnInvestment, in percent.")
    def return_on_investment_percent(self) -> float | None:
        return parse_figure(self.record.system_return_on_investment)

    @strawberry.field(description="Twelve monthly kWh figures decoded from output_monthly_json.")
    def output_monthly_kwh(self) -> list[float] | None:
        return parse_number_list(self.record.output_monthly_json)

    @strawberry.field
    def module_codes(self) -> list[str] | None:
        return self.record.module_codes

    @strawberry.field
    def inverter_codes(self) -> list[str] | None:
        return self.record.inverter_codes

    @strawberry.field
    def battery_codes(self) -> list[str] | None:
        return self.record.battery_codes

    @strawberry.field(
        description="The system's raw proposal data (pricing, payment options, output, ...). The gateway asks "
        "with compress_data, so output and bills may be base64+gzip strings."
    )
    def data(self) -> JSON | None:
        return json_value(self.record.data)


@strawberry.type(description="Proposal data for one project (Raw Data API Access plan only).")
class Proposal:
    record: strawberry.Private[ProposalRecord]

    raw = raw_field()

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.project_id))

    @strawberry.field
    def usage_annual_kwh(self) -> float | None:
        return self.record.usage_annual_or_guess

    @strawberry.field
    def valid_until_date(self) -> date | None:
        return self.record.valid_until_date

    @strawberry.field
    def has_battery(self) -> bool | None:
        return self.record.has_battery

    @strawberry.field
    def systems(self) -> list[ProposalSystem] | None:
        return [ProposalSystem(record=s) for s in self.record.systems]
