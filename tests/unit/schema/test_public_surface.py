"""The graph uses the gateway through its public surface: names a gateway module or package exports.

``schema/`` may import ``gateway/`` (never the other way but in ``gateway/app.py``: the import-linter
contract), and only what a gateway module lists in ``__all__``; a package's parts are reached through
the package when it exports them (``gateway.cache``, not ``gateway.cache.trace``). ``schema/context.py``
is the exception while the runtime it reads is being reshaped.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXEMPT = {"schema/context.py"}


def _gateway_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "schema").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in EXEMPT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gateway"):
                found += [(relative, node.module or "", alias.name) for alias in node.names]
    return found


def _exporters(module: str) -> list[str]:
    """``module`` and every package above it that re-exports from it (``gateway.cache`` for ``.trace``)."""
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(2, len(parts))]


def test_schema_imports_only_exported_gateway_names() -> None:
    private = []
    for where, module, name in _gateway_imports():
        exported = getattr(importlib.import_module(module), "__all__", ())
        if name not in exported:
            private.append(f"{where}: {module}.{name}")
    assert not private, f"gateway names the graph uses that their module does not export: {private}"


def test_schema_reaches_a_package_through_the_package_when_it_exports_the_name() -> None:
    deep = []
    for where, module, name in _gateway_imports():
        for package in _exporters(module):
            if name in getattr(importlib.import_module(package), "__all__", ()):
                deep.append(f"{where}: {module}.{name} (exported by {package})")
    assert not deep, f"import these from the package instead: {deep}"
