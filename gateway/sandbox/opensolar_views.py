"""JSON shapes of the simulated OpenSolar resources, as the reference documents them.

Relations are absolute hyperlinks (DRF HyperlinkedModelSerializer style) with ``*_id`` and inlined
``*_data`` copies beside them; timestamps are ISO-8601 UTC with microseconds.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from gateway.sandbox.data import SandboxData
from gateway.sandbox.records import Contact, Org, Plan, PrivateFile, Project, System, Webhook
from gateway.sandbox.system_views import system_details_view, system_view
from gateway.sandbox.team_views import event_data, file_tags, team_fields, workflow_brief

__all__ = ["Views"]

JSON = dict[str, Any]


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _usage(project: Project) -> str:
    """Project detail's usage: a JSON string, as OpenSolar stores it."""
    usage: JSON = {"usage_data_source": "kwh_annual", "values": project.usage_annual_kwh}
    if project.usage_monthly:
        usage = {"usage_data_source": "kwh_monthly", "values": list(project.usage_monthly)}
    if project.usage_source is not None:
        usage = {"usage_data_source": project.usage_source, "values": project.usage_values}
    return json.dumps(usage)


class Views:
    """Serialises sandbox records for one base URL (the origin the request came to)."""

    def __init__(self, data: SandboxData, base_url: str) -> None:
        self.data = data
        self.base = base_url.rstrip("/")

    def org_url(self, org_id: int) -> str:
        return f"{self.base}/api/orgs/{org_id}/"

    def url(self, org_id: int, kind: str, item_id: int) -> str:
        return f"{self.base}/api/orgs/{org_id}/{kind}/{item_id}/"

    def org(self, org: Org) -> JSON:
        return {
            "id": org.id,
            "url": self.org_url(org.id),
            "name": org.name,
            "projects": f"{self.org_url(org.id)}projects/",
            "country_iso2": "US",
            "locale": "en_US",
            "company_website": "https://example.com",
            "sales_phone_number": "+1 555 0100",
        }

    def contact_brief(self, contact: Contact) -> JSON:
        return {
            "id": contact.id,
            "email": contact.email,
            "phone": contact.phone,
            "url": self.url(contact.org_id, "contacts", contact.id),
            "first_name": contact.first_name,
            "family_name": contact.family_name,
            "display": f"{contact.first_name} {contact.family_name}",
            "passport_number": "",
            "licence_number": "",
            "custom_contact_info_1": "",
            "custom_contact_info_2": "",
            "user_id": None,
            "org_id": contact.org_id,
            "identifier": "",
            "type": 0,
            **contact.extra,
        }

    def contact(self, contact: Contact) -> JSON:
        return {
            **self.contact_brief(contact),
            "org": self.org_url(contact.org_id),
            "date_of_birth": contact.date_of_birth,
            "gender": contact.gender,
            "user": None,
            "projects": [self.url(contact.org_id, "projects", pid) for pid in contact.project_ids],
        }

    def project_row(self, project: Project) -> JSON:
        org = self.data.orgs[project.org_id]
        contacts = [self.data.contacts[cid] for cid in project.contact_ids]
        return {
            "id": project.id,
            "title": project.title,
            "address": project.address,
            "business_name": None,
            "url": self.url(org.id, "projects", project.id),
            "contacts": [self.url(org.id, "contacts", c.id) for c in contacts],
            "contacts_data": [self.contact_brief(c) for c in contacts],
            "priority": project.priority,
            "stars": [],
            "stage": project.stage,
            "org_id": org.id,
            "is_lite": False,
            "modified_date": _ts(project.modified),
            "created_date": _ts(project.created),
            "shared_with": [self.org_url(oid) for oid in project.shared_with],
            "org_name": org.name,
            "customer_proposal_data": None,
            "workflow": {
                "id": project.id + 500000,
                "workflow_id": project.workflow_id,
                "active_stage_id": project.active_stage_id,
            },
            "custom_data": None,
            # Not in the abbreviated official example, but read from list rows by a sync client.
            "locality": project.place.locality,
            "state": project.place.state,
            "zip": project.place.zip,
            "is_residential": project.is_residential,
        }

    def project_detail(self, project: Project, design: str | None) -> JSON:
        org = self.data.orgs[project.org_id]
        place = project.place
        files = [self.data.files[fid] for fid in project.file_ids]
        sold = self.data.systems.get(project.sold_system_id) if project.sold_system_id else None
        detail = {
            **self.project_row(project),
            "identifier": project.identifier,
            "org": self.org_url(org.id),
            "locality": place.locality,
            "state": place.state,
            "zip": place.zip,
            "county": place.county,
            "country": f"{self.base}/api/countries/236/",
            "country_iso2": "US",
            "country_name": "United States",
            "lat": project.lat,
            "lon": project.lon,
            "timezone_offset": -5.0,
            "lead_source": "",
            "notes": "",
            "site_notes": "",
            "number_of_phases": 1,
            "number_of_storeys": 2,
            "roof_type": None,
            **team_fields(self, project),
            "systems": [self.project_system_entry(self.data.systems[sid]) for sid in project.system_ids],
            **self._sale(project, sold),
            "private_files": [self.url(org.id, "private_files", f.id) for f in files],
            "private_files_data": [self.private_file(f) for f in files],
            "events": [self.url(org.id, "events", e["id"]) for e in project.events],
            "events_data": [event_data(self, project, e) for e in project.events],
            "actions": [],
            "tags": [f"{self.base}/api/orgs/{org.id}/tags/3/"] if project.priority == 3 else [],
            "tags_data": [{"id": 3, "title": "Urgent", "url": f"{self.base}/api/orgs/{org.id}/tags/3/"}]
            if project.priority == 3
            else [],
            **self._installed_and_tariffs(project, sold),
            **{f"custom_project_info_{n}": "" for n in range(1, 6)},
            "serial_numbers_panels": "",
            "serial_numbers_inverters": "",
            "serial_numbers_batteries": "",
            "usage": _usage(project),
            "usage_annual_or_guess": project.usage_annual_kwh,
            "utility_tariff_current": None,
            "utility_tariff_current_custom": "null",
            "share_link": f"{self.base}/share/{project.id}/?token=SANDBOX{project.id}",
            "valid_until_date": (project.created + timedelta(days=30)).date().isoformat(),
            "years_to_simulate": 20,
            "language": "en",
            "stage_warning": "The stage field is deprecated, and presently represents the project's workflow "
            "milestone. Please refer to https://developers.opensolar.com/ for the migration steps.",
            "design": design,
            "workflows": [workflow_brief(self, self.data.workflows[wid]) for wid in org.workflow_ids],
            **project.extra,
        }
        return detail

    def _sale(self, project: Project, sold: System | None) -> JSON:
        """Project detail's sale facts: the sold system, its dates and the sold/installed flags."""
        org_id = project.org_id
        return {
            "system_sold": self.url(org_id, "systems", sold.id) if sold else None,
            "payment_option_sold": None,
            "sold_date": (project.created + timedelta(days=12)).date().isoformat() if sold else None,
            "installation_date": (project.created + timedelta(days=45)).date().isoformat()
            if project.stage >= 3
            else None,
            "contract_date": None,
            "project_sold": 1 if sold else None,
            "project_installed": 1 if project.stage >= 3 else None,
        }

    def _installed_and_tariffs(self, project: Project, sold: System | None) -> JSON:
        """Project detail's installed system and utility tariffs (current, proposed and guessed)."""
        org_id = project.org_id
        return {
            "system_installed": self.url(org_id, "systems", sold.id) if sold and project.stage >= 3 else None,
            "utility_tariff_proposed": None,
            "utility_tariff_current_data": None,
            "utility_tariff_proposed_data": None,
            "utility_tariff_or_guess": {"id": 4101, "name": "Residential E-1 (guess)", "code": "E-1"},
            "utility_tariff_proposed_or_guess": {"id": 4102, "name": "Residential E-TOU-C", "code": "E-TOU-C"},
        }

    def project_system_entry(self, system: System) -> JSON:
        return {
            "id": system.id,
            "uuid": system.uuid,
            "url": self.url(system.org_id, "systems", system.id),
            "kw_stc": system.kw_stc,
            "output_annual_kwh": system.output_annual_kwh,
            "price_including_tax": system.price_including_tax,
            "battery_total_kwh": system.battery_total_kwh,
            "module_quantity": system.module_quantity,
        }

    def system(self, system: System) -> JSON:
        return system_view(self, system)

    def system_details(self, system: System, plan: Plan, parts: set[str] | None) -> JSON:
        return system_details_view(system, plan, parts)

    def private_file(self, file: PrivateFile) -> JSON:
        return {
            "url": self.url(file.org_id, "private_files", file.id),
            "id": file.id,
            "org": self.org_url(file.org_id),
            "project": self.url(file.org_id, "projects", file.project_id) if file.project_id else None,
            "user": f"{self.base}/api/global_users/1/",
            "document_template": None,
            "title": file.title,
            "file_contents": f"https://storage.sandbox.invalid/private/{file.org_id}/{file.id}.{file.extension}"
            f"?Expires=1893456000&Signature=sandbox",
            "filesize": file.filesize,
            **file_tags(self, file),
            "system_uuid": None,
            "input_data": None,
            "input_data_hash": None,
            "file_hash": None,
            "status": "created",
            "status_message": None,
            "show_customer": file.show_customer,
            "temporary": file.temporary,
            "upload_id": None,
            "parts": None,
            "completed_on": None,
            "created_date": _ts(file.created),
            "modified_date": _ts(file.modified or file.created),
        }

    def webhook(self, webhook: Webhook) -> JSON:
        return {
            "id": webhook.id,
            "url": self.url(webhook.org_id, "webhooks", webhook.id),
            "org": self.org_url(webhook.org_id),
            "endpoint": webhook.endpoint,
            "enabled": webhook.enabled,
            "debug": webhook.debug,
            "trigger_fields": webhook.trigger_fields,
            "payload_fields": webhook.payload_fields,
            "headers": webhook.headers,
        }
