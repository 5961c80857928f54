"""OpenSolar records as the gateway reads them: typed, frozen, tolerant of extra fields.

``model_fields_set`` tells which keys the upstream actually sent, so a list row or an inlined
``*_data`` copy can stand in for a detail call whenever it holds the fields a query asks for.

What the reference documents is modelled strictly; what it infers or leaves undocumented (the proposal's
structure, project detail's ``systems`` entries, webhook responses) is read leniently: both shapes where the
meaning is unambiguous (``Codes``, ``Number``, ``JsonObject``, ``FieldList``). Whatever still does not fit
costs only that field (``gateway.upstream.tolerant``): reading it raises ``UPSTREAM_BAD_RESPONSE``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from gateway.upstream.opensolar.values import (
    Codes,
    Count,
    FieldList,
    JsonObject,
    JsonValue,
    Number,
    OptDate,
    OptDateTime,
    Record,
    id_from_url,
    split_codes,
)

__all__ = [
    "Adder",
    "Codes",
    "Component",
    "ContactRecord",
    "ModuleGroupRecord",
    "OrgRecord",
    "PrivateFileRecord",
    "ProjectRecord",
    "ProjectSystemEntry",
    "ProposalRecord",
    "ProposalSystemRecord",
    "Record",
    "SystemDetailsRecord",
    "SystemIncentive",
    "SystemRecord",
    "WebhookRecord",
    "Workflow",
    "id_from_url",
    "split_codes",
]


class Workflow(Record):
    id: int | None = None
    workflow_id: int | None = None
    active_stage_id: int | None = None


class ContactRecord(Record):
    id: int
    url: str | None = None
    org_id: int | None = None
    first_name: str | None = None
    family_name: str | None = None
    display: str | None = None
    email: str | None = None
    phone: str | None = None
    date_of_birth: OptDate = None
    gender: int | None = None
    passport_number: str | None = None
    licence_number: str | None = None
    custom_contact_info_1: str | None = None
    custom_contact_info_2: str | None = None
    identifier: str | None = None
    type: int | None = None
    user_id: int | None = None
    projects: list[str] = Field(default_factory=list)


class FileTag(Record):
    id: int | None = None
    title: str | None = None
    type: str | None = None


class PrivateFileRecord(Record):
    id: int
    url: str | None = None
    project: str | None = None
    title: str | None = None
    file_contents: str | None = None
    filesize: int | None = None
    file_tags_data: list[FileTag] = Field(default_factory=list)
    system_uuid: str | None = None
    status: str | None = None
    status_message: str | None = None
    show_customer: bool | None = None
    created_date: OptDateTime = None
    modified_date: OptDateTime = None


class ProjectSystemEntry(Record):
    """A ``systems`` entry of project detail: the docs collapse it, so its shape is inferred (read leniently)."""

    id: int
    uuid: str | None = None
    url: str | None = None
    kw_stc: Number = None
    output_annual_kwh: Number = None
    price_including_tax: Number = None
    battery_total_kwh: Number = None
    module_quantity: Count = None


class ProjectRecord(Record):
    id: int
    url: str | None = None
    identifier: str | None = None
    org_id: int | None = None
    org_name: str | None = None
    title: str | None = None
    address: str | None = None
    business_name: str | None = None
    locality: str | None = None
    state: str | None = None
    zip: str | None = None
    county: str | None = None
    country_iso2: str | None = None
    country_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    timezone_offset: float | None = None
    is_residential: bool | None = None
    is_lite: bool | None = None
    lead_source: str | None = None
    notes: str | None = None
    site_notes: str | None = None
    priority: int | None = None
    stage: int | None = None
    workflow: Workflow | None = None
    created_date: OptDateTime = None
    modified_date: OptDateTime = None
    sold_date: OptDate = None
    installation_date: OptDate = None
    contract_date: OptDate = None
    valid_until_date: OptDate = None
    usage: JsonValue = None
    usage_annual_or_guess: float | None = None
    share_link: str | None = None
    years_to_simulate: int | None = None
    language: str | None = None
    number_of_phases: int | None = None
    number_of_storeys: int | None = None
    assigned_role_id: int | None = None
    assigned_role_name: str | None = None
    assigned_role_email: str | None = None
    assigned_role_phone: str | None = None
    contacts: list[str] = Field(default_factory=list)
    contacts_data: list[ContactRecord] = Field(default_factory=list)
    systems: list[ProjectSystemEntry] = Field(default_factory=list)
    system_sold: str | None = None
    private_files: list[str] = Field(default_factory=list)
    private_files_data: list[PrivateFileRecord] = Field(default_factory=list)
    custom_data: JsonValue = None
    design: str | None = None


class Component(Record):
    manufacturer_name: str | None = None
    code: str | None = None
    quantity: float | None = None


class SystemRecord(Record):
    id: int
    url: str | None = None
    uuid: str | None = None
    name: str | None = None
    order: int | None = None
    project: str | None = None
    kw_stc: float | None = None
    module_quantity: int | None = None
    battery_total_kwh: float | None = None
    price_including_tax: float | None = None
    price_excluding_tax: float | None = None
    net_profit: float | None = None
    output_annual_kwh: float | None = None
    consumption_offset_percentage: float | None = None
    co2_tons_lifetime: float | None = None
    system_lifetime: int | None = None
    discount: float | None = None
    show_customer: bool | None = None
    is_current: bool | None = None
    dc_optimizer_active: bool | None = None
    modules: list[Component] = Field(default_factory=list)
    inverters: list[Component] = Field(default_factory=list)
    batteries: list[Component] = Field(default_factory=list)
    others: list[Component] = Field(default_factory=list)


class Adder(Record):
    label: str | None = None
    total_value: float | None = None
    total_cost: float | None = None
    show_customer: bool | None = None
    quantity: float | None = None


class ModuleGroupRecord(Record):
    module_quantity: int | None = None
    azimuth: float | None = None
    slope: float | None = None
    layout: str | None = None


class SystemIncentive(Record):
    title: str | None = None
    value: float | None = None
    paid_to_customer: bool | None = None


class SystemDetailsRecord(Record):
    id: int | None = None
    uuid: str | None = None
    name: str | None = None
    kw_stc: float | None = None
    total_module_quantity: int | None = None
    modules: list[Component] = Field(default_factory=list)
    inverters: list[Component] = Field(default_factory=list)
    batteries: list[Component] = Field(default_factory=list)
    other_components: list[Component] = Field(default_factory=list)
    adders: list[Adder] = Field(default_factory=list)
    module_groups: list[ModuleGroupRecord] = Field(default_factory=list)
    incentives: list[SystemIncentive] = Field(default_factory=list)
    data: JsonObject = None
    custom_data: JsonValue = None


class SystemDetailsEnvelope(Record):
    systems: list[SystemDetailsRecord]


class OrgRecord(Record):
    id: int
    name: str | None = None


class WebhookRecord(Record):
    id: int
    endpoint: str | None = None
    enabled: bool | None = None
    debug: bool | None = None
    trigger_fields: FieldList = None  # response fields are inferred (the docs show only the request)
    payload_fields: FieldList = None
    headers: str | dict[str, Any] | None = None

    @property
    def header_names(self) -> list[str]:
        headers = self.headers
        if isinstance(headers, str):
            try:
                headers = json.loads(headers)
            except ValueError:
                return []
        return sorted(headers) if isinstance(headers, dict) else []


# The proposal's structure is not documented (the reference lists only its keys): read leniently.
Figure = str | float | None  # a display string ("$12,340") or, from another reading of the API, a number


class ProposalSystemRecord(Record):
    uuid: str | None = None
    title: str | None = None
    name: str | None = None
    has_battery: bool | None = None
    battery_total_kwh: Number = None
    system_kw_stc: Figure = Field(None, alias="systemKwStc")
    system_output_annual_kwh: Figure = Field(None, alias="systemOutputAnnualkWh")
    system_payback_year: Figure = Field(None, alias="systemPaybackYear")
    system_net_present_value: Figure = Field(None, alias="systemNetPresentValue")
    system_irr: Figure = Field(None, alias="systemIrr")
    system_return_on_investment: Figure = Field(None, alias="systemReturnOnInvestment")
    module_codes: Codes = Field(None, alias="moduleCodes")
    inverter_codes: Codes = Field(None, alias="inverterCodes")
    battery_codes: Codes = Field(None, alias="batteryCodes")
    output_monthly_json: str | list[float | str] | None = None
    data: JsonObject = None


class ProposalRecord(Record):
    project_id: int
    usage_annual_or_guess: Number = None
    valid_until_date: OptDate = None
    has_battery: bool | None = None
    systems: list[ProposalSystemRecord] = Field(default_factory=list)
