"""Proposal data (``GET /api/user_logins/``): an array of orgs, each with its projects' proposal data.

The per-system display figures are formatted strings (``"8,547"``, ``"$12,340"``, ``"21.3%"``) and
the monthly output is a JSON-encoded string, exactly the awkward shapes the gateway must parse.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.sandbox.designs import build_design, encode_design
from gateway.sandbox.opensolar_views import Views
from gateway.sandbox.records import Project, System

__all__ = ["build_proposal"]


def _project_entry(views: Views, project: Project) -> dict[str, Any]:
    """The project as proposal data lists it (its proposal_data is added by the caller)."""
    org_id = project.org_id
    contacts = [views.data.contacts[cid] for cid in project.contact_ids]
    return {
        "id": project.id,
        "url": views.url(org_id, "projects", project.id),
        "identifier": project.identifier,
        "address": project.address,
        "zip": project.place.zip,
        "state": project.place.state,
        "locality": project.place.locality,
        "country_iso2": "US",
        "lat": project.lat,
        "lon": project.lon,
        "contacts": [
            {
                "display": f"{c.first_name} {c.family_name}",
                "full_name": f"{c.first_name} {c.family_name}",
                "first_name": c.first_name,
                "family_name": c.family_name,
                "email": c.email,
                "phone": c.phone,
                "id": c.id,
                "url": views.url(org_id, "contacts", c.id),
            }
            for c in contacts
        ],
        "usage_annual_or_guess": project.usage_annual_kwh,
        "system_sold": views.url(org_id, "systems", project.sold_system_id) if project.sold_system_id else None,
        "valid_until_date": None,
    }


def build_proposal(views: Views, project: Project, *, compress: bool, variant: bool = False) -> list[dict[str, Any]]:
    data = views.data
    org = data.orgs[project.org_id]
    design = build_design(data, project)
    systems = [data.systems[sid] for sid in project.system_ids]
    finance = {f["uuid"]: f for f in design["systems"]}
    proposal_data = {
        "available_customer_actions": [],
        "country_iso2": "US",
        "tax_name": "Sales tax",
        "language": "en",
        "has_battery": any(s.battery for s in systems),
        "design": encode_design(design) if compress else design,
        "systems": [_system(s, finance[s.uuid], compress, variant) for s in systems],
    }
    return [
        {
            "id": org.id,
            "url": views.org_url(org.id),
            "country_iso2": "US",
            "name": org.name,
            "user": {
                "id": 10,
                "email": "pro@sandbox.invalid",
                "terms_accepted_date": None,
                "is_anonymous_share_user": False,
            },
            "logo_public_url": None,
            "sales_phone_number": "+1 555 0100",
            "company_website": "https://example.com",
            "projects": [
                {**_project_entry(views, project), "proposal_data": proposal_data},
            ],
        }
    ]


def _system(system: System, finance: dict[str, Any], compress: bool, variant: bool) -> dict[str, Any]:
    option = finance["payment_options"][0]
    monthly = [
        round(system.output_annual_kwh * w)
        for w in (0.055, 0.062, 0.081, 0.093, 0.104, 0.108, 0.112, 0.106, 0.089, 0.075, 0.061, 0.054)
    ]
    output = {"annual": system.output_annual_kwh, "monthly": monthly, "hourly": None}
    roi = 100 * option["net_present_value"] / max(1.0, system.price_including_tax)
    body = {
        "title": system.name,
        "name": system.name,
        "has_battery": system.battery is not None,
        "battery_total_kwh": system.battery_total_kwh,
        "uuid": system.uuid,
        "systemKwStc": f"{system.kw_stc:.3f}",
        "systemOutputAnnualkWh": f"{system.output_annual_kwh:,}",
        "systemPaybackYear": f"{option['payback_year']:.1f}",
        "systemNetPresentValue": _money(option["net_present_value"]),
        "systemIrr": f"{100 * option['internal_rate_of_return']:.1f}%",
        "systemReturnOnInvestment": f"{roi:.0f}%",
        "moduleCodes": system.module[1],
        "inverterCodes": system.inverter[1],
        "batteryCodes": system.battery[1] if system.battery else "",
        "output_monthly_json": json.dumps(monthly),
        "data": {
            "uuid": system.uuid,
            "name": system.name,
            "pricing": finance["pricing"],
            "payment_options": finance["payment_options"],
            "output": encode_design(output) if compress else output,
        },
    }
    if variant:  # what the documents leave open, read another way
        codes = {
            "moduleCodes": [system.module[1]],
            "inverterCodes": [system.inverter[1]],
            "batteryCodes": [system.battery[1]] if system.battery else [],
        }
        figures = {
            "systemKwStc": system.kw_stc,
            "systemOutputAnnualkWh": system.output_annual_kwh,
            "systemPaybackYear": round(option["payback_year"], 1),
            "systemNetPresentValue": round(option["net_present_value"]),
        }
        return {**body, **codes, **figures, "output_monthly_json": monthly}
    return body


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(round(value)):,}"
