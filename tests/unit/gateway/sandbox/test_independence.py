"""The sandbox is the oracle the gateway is judged by: it may not import what it judges."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gateway.sandbox

SANDBOX_DIR = Path(gateway.sandbox.__file__).parent
FIRST_PARTY = ("gateway", "schema")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside the sandbox unless they climb out of it
                found.add("gateway" if node.level > 1 else "gateway.sandbox")
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _first_party_outside_sandbox(modules: set[str]) -> set[str]:
    return {
        name
        for name in modules
        if name.split(".")[0] in FIRST_PARTY and not (name == "gateway.sandbox" or name.startswith("gateway.sandbox."))
    }


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from gateway.upstreams.limits import OPENSOLAR_LIMITS\n"
        "from gateway.sandbox.state import SandboxState\n"
        "def late() -> None:\n"
        "    import schema.design\n"
    )
    assert _first_party_outside_sandbox(_imports(probe)) == {
        "gateway.upstreams.limits",
        "gateway.upstreams.limits.OPENSOLAR_LIMITS",
        "schema.design",
    }


def test_no_sandbox_module_imports_the_gateway_or_the_schema() -> None:
    offenders = {
        str(path.relative_to(SANDBOX_DIR)): sorted(bad)
        for path in sorted(SANDBOX_DIR.rglob("*.py"))
        if (bad := _first_party_outside_sandbox(_imports(path)))
    }
    assert offenders == {}


def test_importing_the_sandbox_loads_nothing_of_the_gateway() -> None:
    probe = (
        "import sys, gateway.sandbox, gateway.sandbox.app\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in ('gateway', 'schema'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.split()
    assert "gateway.sandbox.app" in loaded
    assert [m for m in loaded if m not in ("gateway", "gateway.sandbox") and not m.startswith("gateway.sandbox.")] == []
