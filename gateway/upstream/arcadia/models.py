"""Arcadia (Genability) Solar Incentives records, as the seed ``004_...txt`` defines them.

Dates arrive as ``2006-01-01`` or as ISO datetimes with an offset (``2015-12-01T00:00:00.000-08:00``);
both read as the calendar date they name. Unknown fields are ignored, as Arcadia asks clients to. The seed
documents these objects, so they are modelled strictly; a value that still does not fit costs only its own
field (``gateway.upstream.tolerant``). Enumerated strings (``incentiveType``, ``rateUnit``, ...) stay strings
here, so a value Arcadia adds later passes through.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from gateway.upstream.tolerant import field_error

__all__ = [
    "ApplicabilityRecord",
    "ChoiceRecord",
    "DocumentRecord",
    "IncentivePage",
    "IncentiveRecord",
    "PropertyKeyRecord",
]


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        return value[:10] if value.strip() else None
    return value


def _text(value: Any) -> Any:
    """A string field that arrived as a number (``quantityKeyCap: 50``) reads as its text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, "g")
    return value


IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
Text = Annotated[str | None, BeforeValidator(_text)]


class ArcadiaRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    UPSTREAM: ClassVar[str] = "arcadia"

    if not TYPE_CHECKING:  # mypy keeps checking attribute names; only a dropped field reaches this

        def __getattr__(self, name: str) -> Any:
            if not name.startswith("_"):
                error = field_error(self, name, self.UPSTREAM)
                if error is not None:
                    raise error
            return super().__getattr__(name)


class ChoiceRecord(ArcadiaRecord):
    display_value: str | None = Field(None, alias="displayValue")
    value: str | None = None
    data_value: str | None = Field(None, alias="dataValue")
    likelihood: float | None = None


class PropertyKeyRecord(ArcadiaRecord):
    key_name: str | None = Field(None, alias="keyName")
    display_name: str | None = Field(None, alias="displayName")
    description: str | None = None
    family: str | None = None
    keyspace: str | None = None
    data_type: str | None = Field(None, alias="dataType")
    quantity_unit: str | None = Field(None, alias="quantityUnit")
    formula_detail: str | None = Field(None, alias="formulaDetail")
    privacy: str | None = None


class ApplicabilityRecord(ArcadiaRecord):
    applicability_key: str = Field(alias="applicabilityKey")
    display_name: str | None = Field(None, alias="displayName")
    description: str | None = None
    required_value: str | None = Field(None, alias="requiredValue")
    min_value: float | None = Field(None, alias="minValue")
    max_value: float | None = Field(None, alias="maxValue")
    operator: str | None = None
    quantity_key: str | None = Field(None, alias="quantityKey")
    quantity_unit: str | None = Field(None, alias="quantityUnit")
    choices: list[ChoiceRecord] | None = None


class DocumentRecord(ArcadiaRecord):
    document_id: int | None = Field(None, alias="documentId")
    document_title: str | None = Field(None, alias="documentTitle")
    document_url: str | None = Field(None, alias="documentUrl")
    url: str | None = None  # the same link under the name some responses use

    @property
    def link(self) -> str | None:
        return self.document_url or self.url


class IncentiveRecord(ArcadiaRecord):
    incentive_id: int = Field(alias="incentiveId")
    master_incentive_id: int | None = Field(None, alias="masterIncentiveId")
    eligibility: str | None = None
    required_data: list[ApplicabilityRecord] | None = Field(None, alias="requiredData")
    tariff_code: str | None = Field(None, alias="tariffCode")
    incentive_name: str | None = Field(None, alias="incentiveName")
    project_type: str | None = Field(None, alias="projectType")
    incentive_type: str | None = Field(None, alias="incentiveType")
    state: str | None = None
    lse_id: int | None = Field(None, alias="lseId")
    lse_name: str | None = Field(None, alias="lseName")
    lse_code: str | None = Field(None, alias="lseCode")
    service_type: str | None = Field(None, alias="serviceType")
    customer_class: str | None = Field(None, alias="customerClass")
    start_date: IsoDate = Field(None, alias="startDate")
    end_date: IsoDate = Field(None, alias="endDate")
    is_exhausted: bool | None = Field(None, alias="isExhausted")
    jurisdiction: str | None = None
    quantity_key: PropertyKeyRecord | None = Field(None, alias="quantityKey")
    rate: float | None = None
    rate_unit: str | None = Field(None, alias="rateUnit")
    quantity_key_cap: Text = Field(None, alias="quantityKeyCap")
    payment_cap: float | None = Field(None, alias="paymentCap")
    percent_cost_cap_key: PropertyKeyRecord | None = Field(None, alias="percentCostCapKey")
    percent_cost_cap: float | None = Field(None, alias="percentCostCap")
    payment_duration: int | None = Field(None, alias="paymentDuration")
    incentive_paid_to: str | None = Field(None, alias="incentivePaidTo")
    project_type_exclusive: bool | None = Field(None, alias="projectTypeExclusive")
    territory_id: int | None = Field(None, alias="territoryId")
    summary: str | None = None
    requirements: str | None = None
    applicabilities: list[ApplicabilityRecord] | None = None
    documents: list[DocumentRecord] | None = None


class IncentivePage(ArcadiaRecord):
    """One page of ``GET /rest/v1/incentives``: ``count`` is the total, not the page size."""

    count: int
    page_start: int = Field(0, alias="pageStart")
    page_count: int | None = Field(None, alias="pageCount")
    results: list[IncentiveRecord]
