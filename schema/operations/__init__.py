"""The named operations frontends send (and benchmarks measure), one ``<Name>.graphql`` each."""

from __future__ import annotations

from pathlib import Path

__all__ = ["OPERATIONS_DIR", "load_operations"]

OPERATIONS_DIR = Path(__file__).parent


def load_operations() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(OPERATIONS_DIR.glob("*.graphql"))}
