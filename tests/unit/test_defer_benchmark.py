"""The defer benchmark's helpers: the document it defers, and its section spliced into BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

from graphql import parse

from benchmarks.defer import deferred, splice
from schema.operations import load_operations


def test_the_incentives_block_is_wrapped_whole_in_a_deferred_fragment() -> None:
    page = load_operations()["ProjectPage"]
    document = deferred(page, "incentives")
    parse(document)  # still one well-formed document
    assert '... @defer(label: "incentives") { incentives {' in document
    assert (document.count("{"), document.count("}")) == (page.count("{") + 1, page.count("}") + 1)


def test_splice_replaces_its_own_section_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## Other\n\nkept\n\n## Mine\n\nold figures\n\n## Later\n\nkept too\n")
    splice(path, "## Mine", "## Mine\n\nnew figures\n")
    assert path.read_text() == "# Benchmarks\n\n## Other\n\nkept\n\n## Mine\n\nnew figures\n\n## Later\n\nkept too\n"
    splice(path, "## Absent", "## Absent\n\nappended\n")
    assert path.read_text().endswith("## Later\n\nkept too\n\n## Absent\n\nappended\n")
