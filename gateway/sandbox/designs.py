"""Design documents: three.js-style scene graphs, gzip-compressed and base64-encoded.

Each design agrees with its project's systems: one ``OsSystem`` per system (same uuid, kW STC and
module count), one ``OsModuleGrid`` per module group (same azimuth and slope) holding one
``OsModule`` per panel, plus a top-level ``systems`` array of per-system pricing and payment data.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
from typing import Any

from gateway.sandbox.data import SandboxData
from gateway.sandbox.records import Project, System

__all__ = ["build_design", "encode_design"]

IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
MODULE_SIZE_M = (1.134, 1.722)


def encode_design(document: dict[str, Any]) -> str:
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def build_design(data: SandboxData, project: Project) -> dict[str, Any]:
    systems = [data.systems[sid] for sid in project.system_ids]
    return {
        "object": {
            "uuid": project.identifier.upper(),
            "type": "Scene",
            "matrix": IDENTITY,
            "userData": {"sceneOrigin4326": [project.lon, project.lat], "autoFacetsGeoJson": None},
            "children": [_system_node(s, project) for s in systems],
        },
        "systems": [_system_finance(s) for s in systems],
        "views": [
            {
                "uuid": f"view-{project.id}",
                "mapType": "Google",
                "zoom": 20,
                "center": [project.lon, project.lat],
            }
        ],
    }


def _system_node(system: System, project: Project) -> dict[str, Any]:
    monthly = _monthly_output(system.output_annual_kwh)
    return {
        "uuid": system.uuid,
        "type": "OsSystem",
        "matrix": IDENTITY,
        "userData": {
            "kwStc": system.kw_stc,
            "moduleQuantity": system.module_quantity,
            "output": {
                "annual": float(system.output_annual_kwh),
                "monthly": monthly,
                "shade_metrics": {"sun_access_factor": 0.97},
                "details": {"system": {"annual_poa_shading_loss_percent_fixed": 2.1}},
            },
            "consumption": {
                "consumption_offset_percentage": round(100 * system.output_annual_kwh / project.usage_annual_kwh)
            },
            "bills": {
                "current": {"annual": round(project.usage_annual_kwh * 0.31, 2)},
                "proposed": {"annual": round(max(0, project.usage_annual_kwh - system.output_annual_kwh) * 0.31, 2)},
            },
            "inverters": [
                {
                    "manufacturer_name": system.inverter[0],
                    "code": system.inverter[1],
                    "quantity": system.inverter_quantity,
                    "max_power_rating": system.inverter[2],
                    "microinverter": system.inverter[3],
                }
            ],
            "unstrungModulesByModuleGrid": [],
        },
        "children": [_grid_node(group, index) for index, group in enumerate(system.module_groups)],
    }


def _grid_node(group: Any, index: int) -> dict[str, Any]:
    slope = math.radians(group.slope)
    columns = max(1, math.ceil(math.sqrt(group.module_quantity)))
    modules = []
    for n in range(group.module_quantity):
        x, y = (n % columns) * MODULE_SIZE_M[0], (n // columns) * MODULE_SIZE_M[1]
        matrix = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, round(x, 3), round(y, 3), 0, 1]
        modules.append(
            {
                "uuid": f"{group.uuid[:24]}{n:012d}",
                "type": "OsModule",
                "matrix": matrix,
                "userData": {"size": list(MODULE_SIZE_M)},
            }
        )
    return {
        "uuid": group.uuid,
        "type": "OsModuleGrid",
        "matrix": [
            1,
            0,
            0,
            0,
            0,
            round(math.cos(slope), 4),
            round(math.sin(slope), 4),
            0,
            0,
            round(-math.sin(slope), 4),
            round(math.cos(slope), 4),
            0,
            4.0 * index,
            0,
            6.0,
            1,
        ],
        "userData": {"azimuth": group.azimuth, "slope": group.slope, "moduleLayout": group.layout},
        "children": modules,
    }


def _system_finance(system: System) -> dict[str, Any]:
    price = system.price_including_tax
    itc = round(price * 0.30, 2)
    savings = system.output_annual_kwh * 0.31
    payback = round((price - itc) / savings, 1)
    return {
        "uuid": system.uuid,
        "system_price_including_tax": price,
        "pricing": {
            "system_price_including_tax": price,
            "margin": 0.2,
            "discount": 0,
            "dealer_fee": 0,
            "tax": round(price - price / 1.0725, 2),
            "line_items": [
                {"label": "Modules", "price": round(price * 0.35, 2)},
                {"label": "Inverters", "price": round(price * 0.15, 2)},
                {"label": "Installation", "price": round(price * 0.5, 2)},
            ],
            "adders": [],
            "price_adjustments": {},
        },
        "incentive_to_customer": {"total": itc, "incentives": [{"title": "Federal ITC", "value": itc}]},
        "incentive_to_installer": {"total": 0, "incentives": []},
        "payment_options": [
            {
                "title": "Cash",
                "payment_type": "cash",
                "payback_year": payback,
                "net_present_value": round(savings * 14 - (price - itc), 2),
                "internal_rate_of_return": round(savings / max(1.0, price - itc), 4),
                "cash_flows": [],
                "utility_bill_savings_yearly": [round(savings, 2)] * 3,
                "featured_figures": [],
            }
        ],
    }


def _monthly_output(annual: int) -> list[float]:
    shape = (0.055, 0.062, 0.081, 0.093, 0.104, 0.108, 0.112, 0.106, 0.089, 0.075, 0.061, 0.054)
    scale = annual / sum(shape)
    return [round(w * scale, 1) for w in shape]
