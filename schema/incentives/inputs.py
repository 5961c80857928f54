"""Applicability inputs derived from OpenSolar data, each with where it came from.

``zipCode``/``state`` from the project address, ``systemSizeDcW`` from kW STC, ``systemSizeAcW`` from
the design's inverter ratings, ``systemCost`` from the system price, ``tilt``/``azimuth`` from the
largest module group, ``annualConsumption`` from the project's usage, ``estimatedFirstYearkWh`` from
the system's annual output, and ``systemOwnership`` defaulting to ``host``. Caller inputs win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import NamedTuple

from gateway.upstream.arcadia.models import IncentiveRecord
from gateway.upstream.opensolar.models import ModuleGroupRecord
from schema.incentives.eligibility import formula_value

__all__ = ["InputSource", "ProjectFacts", "SystemFacts", "UsedInput", "derive_inputs", "keys_referenced"]


class InputSource(Enum):
    CALLER = "caller"
    PROJECT = "project"
    SYSTEM = "system"
    SYSTEM_DETAILS = "system_details"
    DESIGN = "design"
    DEFAULT = "default"


class UsedInput(NamedTuple):
    key: str
    value: str
    source: InputSource
    detail: str


class ProjectFacts(NamedTuple):
    zip_code: str | None
    state: str | None
    annual_consumption_kwh: float | None


class SystemFacts(NamedTuple):
    kw_stc: float | None
    price_including_tax: float | None
    output_annual_kwh: float | None
    module_groups: tuple[ModuleGroupRecord, ...] = ()
    ac_watts: float | None = None


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}".rstrip("0")


def keys_referenced(incentives: Iterable[IncentiveRecord]) -> set[str]:
    """Every input key the incentives could use: applicabilities, formula bases, quantities, caps."""
    keys: set[str] = set()
    for incentive in incentives:
        for spec in incentive.applicabilities or []:
            keys.add(spec.applicability_key)
            if spec.quantity_key:
                base = formula_value(spec.quantity_key, {})[1]
                keys.add(base or spec.quantity_key)
        for key in (incentive.quantity_key, incentive.percent_cost_cap_key):
            if key is not None and key.key_name:
                keys.add(key.key_name)
        if incentive.quantity_key_cap:
            keys.add(incentive.quantity_key_cap)
    return keys


def _largest_group(groups: tuple[ModuleGroupRecord, ...]) -> ModuleGroupRecord | None:
    candidates = [g for g in groups if g.slope is not None and g.azimuth is not None]
    return max(candidates, key=lambda g: g.module_quantity or 0, default=None)


def derive_inputs(project: ProjectFacts, system: SystemFacts, caller: Mapping[str, str]) -> list[UsedInput]:
    derived: list[UsedInput] = []

    def add(key: str, value: float | str | None, source: InputSource, detail: str) -> None:
        if value is not None:
            derived.append(UsedInput(key, value if isinstance(value, str) else _fmt(value), source, detail))

    add("zipCode", project.zip_code, InputSource.PROJECT, "project zip")
    add("state", project.state, InputSource.PROJECT, "project state")
    add("annualConsumption", project.annual_consumption_kwh, InputSource.PROJECT, "project usage_annual_or_guess (kWh)")
    add(
        "systemSizeDcW",
        None if system.kw_stc is None else system.kw_stc * 1000,
        InputSource.SYSTEM,
        "system kw_stc x 1000",
    )
    add("systemSizeAcW", system.ac_watts, InputSource.DESIGN, "design: sum of inverter max_power_rating x quantity")
    add("systemCost", system.price_including_tax, InputSource.SYSTEM, "system price_including_tax")
    add("estimatedFirstYearkWh", system.output_annual_kwh, InputSource.SYSTEM, "system output_annual_kwh")
    group = _largest_group(system.module_groups)
    if group is not None:
        share = f"largest module group ({group.module_quantity} modules)"
        add("tilt", group.slope, InputSource.SYSTEM_DETAILS, f"{share} slope")
        add("azimuth", group.azimuth, InputSource.SYSTEM_DETAILS, f"{share} azimuth")
    add("systemOwnership", "host", InputSource.DEFAULT, "assumed host-owned unless the caller says otherwise")
    merged = {item.key: item for item in derived}
    for key, value in caller.items():
        merged[key] = UsedInput(key, value, InputSource.CALLER, "given in the query")
    return list(merged.values())
