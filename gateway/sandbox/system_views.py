"""JSON shapes of the sandbox's systems: the systems list / detail row and a project's system details."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.sandbox.data import MODULES
from gateway.sandbox.records import Plan, System

if TYPE_CHECKING:
    from gateway.sandbox.opensolar_views import Views

__all__ = ["system_details_view", "system_view"]

JSON = dict[str, Any]


def _hardware(system: System) -> JSON:
    """The system row's modules, inverters and batteries (activation ids as the reference shows them)."""
    return {
        "modules": [
            {
                "module_activation_id": 600 + MODULES.index(system.module),
                "code": system.module[1],
                "manufacturer_name": system.module[0],
                "quantity": system.module_quantity,
            }
        ],
        "inverters": [
            {
                "inverter_activation_id": 700,
                "code": system.inverter[1],
                "manufacturer_name": system.inverter[0],
                "quantity": system.inverter_quantity,
            }
        ],
        "batteries": [
            {
                "battery_activation_id": 800,
                "code": system.battery[1],
                "manufacturer_name": system.battery[0],
                "quantity": 1,
            }
        ]
        if system.battery
        else [],
    }


def _detail_components(system: System) -> JSON:
    """System details' components, adders and module groups."""
    return {
        "modules": [
            {
                "manufacturer_name": system.module[0],
                "code": system.module[1],
                "quantity": system.module_quantity,
            }
        ],
        "total_module_quantity": system.module_quantity,
        "inverters": [
            {
                "manufacturer_name": system.inverter[0],
                "code": system.inverter[1],
                "quantity": system.inverter_quantity,
            }
        ],
        "batteries": [{"manufacturer_name": system.battery[0], "code": system.battery[1], "quantity": 1}]
        if system.battery
        else [],
        "other_components": [{"manufacturer_name": "Hardware Co.", "code": "dc_isolator_xyz", "quantity": 1}],
        "adders": [
            {
                "label": "Critter guard",
                "total_value": 20.0 * system.module_quantity / 10,
                "total_cost": 0,
                "show_customer": False,
                "quantity": 1,
            }
        ],
        "module_groups": [
            {
                "module_quantity": g.module_quantity,
                "azimuth": g.azimuth,
                "slope": g.slope,
                "layout": g.layout,
            }
            for g in system.module_groups
        ],
    }


def system_view(views: Views, system: System) -> JSON:
    """A system as the systems list and system detail show it."""
    price_ex = round(system.price_including_tax / 1.0725, 2)
    usage = views.data.projects[system.project_id].usage_annual_kwh
    return {
        "id": system.id,
        "url": views.url(system.org_id, "systems", system.id),
        "name": "",
        "uuid": system.uuid,
        "order": system.order,
        "system_lifetime": 25,
        "inverter_range": None,
        "dc_optimizer_active": system.inverter[0] == "SolarEdge",
        "dc_optimizer_efficiency": 1.0,
        "show_customer": True,
        "is_current": system.order == 0,
        "auto_string": True,
        "discount": 0.0,
        "adders_per_system": 0.0,
        "adders_per_panel": 0.0,
        "adders_per_watt": 0.0,
        "kw_stc": system.kw_stc,
        "battery_total_kwh": system.battery_total_kwh,
        "price_including_tax": system.price_including_tax,
        "price_excluding_tax": price_ex,
        "net_profit": round(price_ex * 0.22, 2),
        "module_quantity": system.module_quantity,
        "co2_tons_lifetime": round(system.output_annual_kwh * 25 * 0.00039, 2),
        "project": views.url(system.org_id, "projects", system.project_id),
        "org": views.org_url(system.org_id),
        "pricing_scheme": views.url(system.org_id, "pricing_schemes", 1408),
        "output_annual_kwh": system.output_annual_kwh,
        "consumption_offset_percentage": round(100 * system.output_annual_kwh / usage),
        **_hardware(system),
        "others": [],
    }


def system_details_view(system: System, plan: Plan, parts: set[str] | None) -> JSON:
    """One system of a project's system details; ``parts`` (include/exclude) only change ``data``."""
    item: JSON = {
        "kw_stc": system.kw_stc,
        "uuid": system.uuid,
        "id": system.id,
        "name": system.name,
        **_detail_components(system),
        "incentives": [],
        "data": {},
    }
    # include_parts / exclude_parts only affect the contents of `data`
    if parts is not None and "mcs" in parts:
        first = system.module_groups[0]
        item["data"] = {
            "mcs": {
                "mcsSystemPanelAzimuth": first.azimuth,
                "mcsSystemPanelTilt": first.slope,
                "mcsSpecificYieldBeforeShading": round(system.specific_yield, 1),
            }
        }
    if plan is Plan.RAW_DATA:
        item["custom_data"] = {
            "proposal_data": {
                "show_battery_in_proposal": system.battery is not None,
                "battery_price_to_show": "full",
            }
        }
    return item
