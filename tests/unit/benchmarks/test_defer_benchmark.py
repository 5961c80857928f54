"""The defer benchmark's document: the stitched ProjectPage with its incentives deferred."""

from __future__ import annotations

from graphql import parse

from benchmarks.defer import deferred
from schema.operations import load_operations


def test_the_incentives_block_is_wrapped_whole_in_a_deferred_fragment() -> None:
    page = load_operations()["ProjectPage"]
    document = deferred(page, "incentives")
    parse(document)  # still one well-formed document
    assert '... @defer(label: "incentives") { incentives {' in document
    assert (document.count("{"), document.count("}")) == (page.count("{") + 1, page.count("}") + 1)
