"""The tolerant reader: strict first, then field by field; what it drops raises where it is read."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gateway.upstream.arcadia.models import DocumentRecord, IncentiveRecord
from gateway.upstream.opensolar.models import ProjectRecord, ProposalSystemRecord, WebhookRecord
from gateway.upstream.tolerant import ShapeError, damage_of, raw_of, read
from schema.raw import redact_headers


def test_a_well_formed_record_keeps_what_was_sent() -> None:
    payload = {"id": 1, "title": "A", "contacts_data": [{"id": 7, "email": "a@b.c"}], "extra": {"kept": True}}
    record = read(ProjectRecord, payload)
    assert damage_of(record) == {} and raw_of(record) is payload
    assert raw_of(record.contacts_data[0]) is payload["contacts_data"][0]


def test_a_foreign_value_costs_only_its_field() -> None:
    record = read(ProjectRecord, {"id": 1, "title": ["x"], "zip": "11215", "lat": {"deg": 1}})
    assert damage_of(record) == {"title": "list", "lat": "object"}
    assert record.zip == "11215" and record.has("title")  # sent, so never fetched again as "missing"
    with pytest.raises(ShapeError) as caught:
        _ = record.title
    assert caught.value.extensions == {
        "code": "UPSTREAM_BAD_RESPONSE",
        "upstream": "opensolar",
        "field": "Project.title",
    }


def test_a_nested_record_without_its_id_costs_its_parent_key() -> None:
    record = read(ProjectRecord, {"id": 1, "title": "A", "contacts_data": [{"id": "x"}, {"id": 2}]})
    assert damage_of(record) == {"contacts_data": "list"} and record.title == "A"


def test_a_record_without_its_own_id_is_unreadable() -> None:
    with pytest.raises(ValidationError):
        read(ProjectRecord, {"id": [1], "title": "A"})
    with pytest.raises(ValidationError):
        read(ProjectRecord, ["not", "an", "object"])


@pytest.mark.parametrize(
    ("sent", "codes"),
    [("A, B", ["A", "B"]), (["A", "B"], ["A", "B"]), ("", []), ([], []), (["A", 7], ["A", "7"])],
)
def test_codes_read_from_either_shape(sent: Any, codes: list[str]) -> None:
    assert read(ProposalSystemRecord, {"moduleCodes": sent}).module_codes == codes


def test_undocumented_numbers_and_json_strings_read_in_either_shape() -> None:
    record = read(ProposalSystemRecord, {"battery_total_kwh": "1,350.5", "data": '{"a": 1}'})
    assert record.battery_total_kwh == 1350.5 and record.data == {"a": 1}
    hook = read(WebhookRecord, {"id": 1, "trigger_fields": '["project.*"]', "payload_fields": "a.b, c.d"})
    assert hook.trigger_fields == ["project.*"] and hook.payload_fields == ["a.b", "c.d"]


def test_arcadia_text_fields_take_numbers_and_documents_take_url() -> None:
    record = read(IncentiveRecord, {"incentiveId": 1, "quantityKeyCap": 50, "rate": [1]})
    assert record.quantity_key_cap == "50" and damage_of(record) == {"rate": "list"}
    assert read(DocumentRecord, {"url": "https://x.test/d"}).link == "https://x.test/d"


def test_raw_webhooks_never_show_header_values() -> None:
    assert redact_headers({"id": 1, "headers": '{"Authorization": "Token s3cret"}'}) == {
        "id": 1,
        "headers": {"Authorization": "[redacted]"},
    }
    assert redact_headers({"id": 1, "headers": "not json s3cret"})["headers"] == "[redacted]"
    assert redact_headers({"id": 1, "headers": None}) == {"id": 1, "headers": None}
