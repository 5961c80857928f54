"""ARCHITECTURE.md stays true: every path it names in backticks is in the tree.

A backticked word that starts with one of the repository's top-level folders or files (``gateway/...``,
``schema/...``, ``tests/...``, ``pyproject.toml``) is a path; a ``*`` in it must match at least one
file. Symbols (``OpenSolarClient.projects``) and requests (``POST /graphql``) are not paths.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "ARCHITECTURE.md"
BACKTICKED = re.compile(r"`([^`\s]+)`")


def _paths(text: str) -> list[str]:
    top = {entry.name for entry in ROOT.iterdir() if not entry.name.startswith(".") or entry.name == ".ci"}
    return [word for word in BACKTICKED.findall(text) if word.split("/")[0] in top]


def test_architecture_names_only_paths_that_exist() -> None:
    named = _paths(DOC.read_text())
    missing = [path for path in named if not (any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists())]
    assert len(named) >= 20, f"ARCHITECTURE.md should name where things live; found {len(named)} paths"
    assert not missing, f"ARCHITECTURE.md names paths that are not in the tree: {missing}"


def test_a_missing_path_is_caught() -> None:
    assert _paths("see `schema/nowhere.py` and `OpenSolarClient.projects` and `POST /graphql`") == ["schema/nowhere.py"]
    assert not (ROOT / "schema/nowhere.py").exists()
