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
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from gateway.upstream.tolerant import field_error

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

_TRAILING_ID = re.compile(r"/(\d+)/?(?:\?.*)?$")


def id_from_url(url: str | None) -> int | None:
    """The trailing integer id of a DRF hyperlink (absolute or relative)."""
    if not url:
        return None
    match = _TRAILING_ID.search(url)
    return int(match.group(1)) if match else None


def _blank_to_none(value: Any) -> Any:
    return None if value in ("", "null") else value


def _json_string(value: Any) -> Any:
    """Fields OpenSolar sometimes sends as a JSON-encoded string (``usage``)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def split_codes(value: Any) -> Any:
    """Product codes as a list: a JSON list, or one string of comma-separated codes ("A, B")."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list) and all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
        return [text for text in (str(v).strip() for v in value) if text]
    return value


def _number(value: Any) -> Any:
    """A number, also from a display string ("8,547", "$1,200", "21.3%"); anything else as it came."""
    if isinstance(value, str):
        text = value.strip().replace(",", "").removesuffix("%").lstrip("$")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return value
    return value


def _field_list(value: Any) -> Any:
    """Webhook field paths: a list, a JSON-encoded list or comma-separated paths."""
    if isinstance(value, str):
        decoded = _json_string(value)
        return decoded if isinstance(decoded, list) else split_codes(value)
    return value


OptDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
OptDateTime = Annotated[datetime | None, BeforeValidator(_blank_to_none)]
JsonValue = Annotated[Any, BeforeValidator(_json_string)]
JsonObject = Annotated[dict[str, Any] | None, BeforeValidator(_json_string)]
Codes = Annotated[list[str] | None, BeforeValidator(split_codes)]
Number = Annotated[float | None, BeforeValidator(_number)]
Count = Annotated[int | None, BeforeValidator(_number)]
FieldList = Annotated[list[str] | None, BeforeValidator(_field_list)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    UPSTREAM: ClassVar[str] = "opensolar"

    def has(self, *names: str) -> bool:
        return all(name in self.model_fields_set for name in names)

    if not TYPE_CHECKING:  # mypy keeps checking attribute names; only a dropped field reaches this

        def __getattr__(self, name: str) -> Any:
            if not name.startswith("_"):
                error = field_error(self, name, self.UPSTREAM)
                if error is not None:
                    raise error
            return super().__getattr__(name)


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
