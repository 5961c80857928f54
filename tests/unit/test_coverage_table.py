"""COVERAGE.md maps every item of the reference's endpoint tables to a part of the graph that exists.

``REFERENCE_ITEMS`` transcribes the items of ../shared/reference/opensolar-api.md (§3.2 projects, §3.3
contacts, §3.6 private files, §3.9 roles, workflows, events and generate documents, §6 webhooks); update it
with the reference, and COVERAGE.md with it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from schema import build_schema

TABLE = Path(__file__).parents[2] / "COVERAGE.md"
USAGE_SOURCES = [
    "kwh_annual",
    "kwh_monthly",
    "kwh_every_second_month",
    "kwh_quarterly",
    "kwh_daily_per_month",
    "bill_annual",
    "bill_monthly",
    "bill_every_second_month",
    "bill_quarterly",
    "estimate",
]
REFERENCE_ITEMS: dict[str, list[str]] = {
    "projects": [
        "GET /projects/", "?page", "?limit", "?fieldset", "?owner_org_id", "?visible_to", "?search", "?ordering",
        "GET /projects/:id/", "POST /projects/", "POST contacts_new", "PATCH /projects/:id/",
        "PATCH workflow (stage move)", "PATCH usage", *(f"usage {s}" for s in USAGE_SOURCES),
        "PATCH assigned roles", "PUT /projects/:id/ (sharing)", "DELETE /projects/:id/", "events / events_data",
        "private_files / private_files_data",
    ],
    "contacts": [
        "GET /contacts/", "?page", "?limit", "?owned_by", "?shared_with", "GET /contacts/:id/", "POST /contacts/",
        "PUT /contacts/:id/", "DELETE /contacts/:id/",
    ],
    "private files": [
        "GET /private_files/", "GET /private_files/:id/", "POST multipart", "PATCH /private_files/:id/",
        "DELETE /private_files/:id/", "?project", "?user_id", "?file_tags", "?file_tags_exclude", "?search",
        "?ordering", "?page / ?limit",
    ],
    "roles": ["GET /roles/", "GET /roles/:id/", "?fieldset", "?range", "?page", "?limit", "?ordering"],
    "workflows": [
        "GET /workflows/", "POST /workflows/", "GET /workflows/:id/", "PUT /workflows/:id/",
        "DELETE /workflows/:id/", "?page / ?limit", "?is_default", "?is_archived",
    ],
    "webhooks": [
        "GET /webhooks/", "POST /webhooks/", "PATCH /webhooks/:id/", "body endpoint", "body enabled", "body debug",
        "body trigger_fields", "body payload_fields", "body headers", "GET /webhook_process_logs/",
        "logs ?limit / ?page", "logs ?search", "logs ?format=csv", "GET /webhook_queue_models/",
    ],
    "events": ["GET /events/:id/", "events_data"],
    "generate_document": [
        "POST /generate_document/:document_type/", "?file_format", "?document_template_id", "?system_uuid",
        "?payment_option_id", "?language", "?file_tags", "?action=save", "?temporary",
        "generate_document_pdf / generate_document_docx",
    ],
}  # fmt: skip
_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|$")
_PATH = re.compile(r"^(\w+)\.(\w+)(?:\((\w+)\))?$")


def table_rows() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in TABLE.read_text().splitlines():
        match = _ROW.match(line.strip())
        if match and match.group(1) not in {"resource", "---"}:
            paths = [p.strip() for p in match.group(3).split(",") if p.strip()]
            rows.append((match.group(1), match.group(2), paths))
    return rows


@functools.cache
def type_map() -> dict[str, object]:
    return dict(build_schema()._schema.type_map)


def exists(path: str) -> bool:
    match = _PATH.match(path)
    if match is None:
        return False
    type_name, member, argument = match.groups()
    gql_type = type_map().get(type_name)
    if isinstance(gql_type, GraphQLEnumType):
        return argument is None and member in gql_type.values
    if isinstance(gql_type, GraphQLObjectType | GraphQLInputObjectType):
        field = gql_type.fields.get(member)
        if field is None:
            return False
        return argument is None or argument in getattr(field, "args", {})
    return False


def test_every_reference_item_is_in_the_table_once() -> None:
    listed = [(resource, item) for resource, item, _ in table_rows()]
    expected = [(resource, item) for resource, items in REFERENCE_ITEMS.items() for item in items]
    assert sorted(set(expected) - set(listed)) == [], "items of the reference with no row in COVERAGE.md"
    assert sorted(set(listed) - set(expected)) == [], "rows in COVERAGE.md that the reference does not list"
    assert len(listed) == len(set(listed)), "an item is listed twice"


def test_every_item_is_mapped_to_a_part_of_the_schema() -> None:
    unmapped = [(resource, item) for resource, item, paths in table_rows() if not paths]
    assert unmapped == []
    missing = [(item, path) for _, item, paths in table_rows() for path in paths if not exists(path)]
    assert missing == [], "COVERAGE.md names graph paths the schema does not have"


def test_the_checker_catches_a_missing_path() -> None:
    assert exists("Mutation.createProject") and exists("Org.projects(search)") and exists("UsageDataSource.ESTIMATE")
    assert not exists("Mutation.createNothing") and not exists("Org.projects(nope)") and not exists("Org")
