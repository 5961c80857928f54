"""``make plant-bugs`` plants each bug by a regex edit of today's source: every edit must still apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.plant_bugs import BUGS, Bug

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_each_bug_still_plants_in_the_current_source(bug: Bug) -> None:
    source = (ROOT / bug.path).read_text()
    assert bug.plant(source) != source  # sub() raises LookupError when the code it edits has moved
