"""Sections of BENCHMARKS.md (or TESTING.md) that a command owns, between two markers, rewritten in place.

Several engineers' commands write into the same file; each owns the text between
``<!-- name -->`` and ``<!-- /name -->`` and never touches the rest. A file without the markers
gets the section appended at its end.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["publish", "splice", "spliced"]


def spliced(current: str, name: str, text: str) -> str:
    """``current`` with the section ``name`` holding ``text`` (replaced where it is, else appended)."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{begin}\n{text.strip(chr(10))}\n{end}"
    if begin in current and end in current.split(begin, 1)[1]:
        before, rest = current.split(begin, 1)
        return before + block + rest.split(end, 1)[1]
    return current.rstrip("\n") + "\n\n" + block + "\n"


def splice(path: Path, name: str, text: str) -> None:
    path.write_text(spliced(path.read_text() if path.exists() else "", name, text))


def publish(text: str, path: Path | None, name: str) -> int:
    """A benchmark's report: printed, and spliced into ``path`` as section ``name`` when given (``--write``)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if path is not None:
        splice(path, name, text)
    return 0
