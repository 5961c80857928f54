"""Plant the nine bugs of issue 11 one at a time and report which tests catch each.

Each bug is a small edit to a copy of the committed tree (``git archive HEAD`` plus the built GraphiQL
assets) in a temporary directory; the working tree is never touched. The suite runs in that copy (minus
the browser, container and CLI tests, which start processes and check none of these behaviours), and the
failing tests are read from its JUnit report.

    python -m benchmarks.plant_bugs [--only NAME ...] [--write TESTING.md]
"""

# Deliberate repetition (`duplicates` lists it): BUGS is a table, each row a Bug of the same shape.

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET  # our own pytest's JUnit report
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.splice import splice

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_TESTS = [
    "tests/integration/test_graphiql_browser.py",
    "tests/integration/test_cors_browser.py",
    "tests/integration/test_container_recipe.py",
    "tests/integration/test_http_audit.py",
    "tests/integration/test_cli.py",
    "tests/integration/test_wheel.py",
]


@dataclass(frozen=True)
class Bug:
    name: str
    promise: str
    path: str
    plant: Callable[[str], str]


def sub(pattern: str, replacement: str, *, flags: int = 0) -> Callable[[str], str]:
    """A regex edit that must change the file, or the bug is reported as not planted."""

    def apply(source: str) -> str:
        planted, count = re.subn(pattern, replacement, source, flags=flags)
        if count == 0:
            raise LookupError(f"pattern not found: {pattern}")
        return planted

    return apply


BUGS = [
    Bug(
        "compare-digest",
        "webhook secret compared in constant time",
        "gateway/http/webhooks.py",
        sub(r"not hmac\.compare_digest\(([^,]+), ([^)]+\)[^)]*)\)", r"\1 != \2"),
    ),
    Bug(
        "design-cap-1gib",
        "64 MiB design cap by default",
        "gateway/settings.py",
        sub(r"^(DEFAULT_DESIGN_MAX_BYTES\s*=\s*).*$", r"\g<1>1024 * 1024 * 1024", flags=re.M),
    ),
    Bug(
        "post-retried",
        "only GET/HEAD are retried",
        "gateway/upstream/base.py",
        sub(r"idempotent=method in \{[^}]*\}", "idempotent=True"),
    ),
    Bug(
        "429-cached",
        "429s are never cached",
        "gateway/cache/upstream.py",
        sub(
            r"(def _finished\(self, key: str, (\w+): [^)]*\) -> None:\n)",
            r"\1        task = getattr(\2, 'task', \2)\n"
            r"        failed = task.done() and not task.cancelled() and task.exception()\n"
            r"        if isinstance(failed, UpstreamRateLimited):\n"
            r"            return  # planted: a 429 stays in flight for this key, so every later read gets it\n",
        ),
    ),
    Bug(
        "depth-13",
        "depth limit 12",
        "gateway/configs.py",
        sub(r"(max_depth: int = )12\b", r"\g<1>13"),
    ),
    Bug(
        "tokens-2999",
        "token limit 2000",
        "gateway/configs.py",
        sub(r"(max_tokens: int = )2000\b", r"\g<1>2999"),
    ),
    Bug(
        "subscriptions-deliver-all",
        "a subscriber only hears its own org's changes",
        "schema/opensolar/changes.py",
        sub(
            r"(async def _visible\([^)]*\) -> bool:\n)",
            r"\1    return True  # planted\n",
        ),
    ),
    Bug(
        "proposal-1000",
        "proposal quota 100/min",
        "gateway/upstream/quotas.py",
        sub(r"(EndpointClass\.PROPOSAL: ThrottleLimit\(Rate\()100(, MINUTE_S\))", r"\g<1>1000\2"),
    ),
    Bug(
        "stale-timeout-removed",
        "stale-if-error on timeouts",
        "gateway/cache/upstream.py",
        sub(r"^(STALE_ON = \(.*?)UpstreamTimeout, ?(.*)$", r"\1\2", flags=re.M),
    ),
]


def copy_tree(target: Path) -> None:
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    vendor = ROOT / "gateway" / "graphiql" / "vendor"
    if vendor.is_dir():
        shutil.copytree(vendor, target / "gateway" / "graphiql" / "vendor", dirs_exist_ok=True)
    # the reference sits beside the clone (../shared), as in CI
    shared = ROOT.parent / "shared"
    if shared.is_dir() and not (target.parent / "shared").exists():
        (target.parent / "shared").symlink_to(shared)


def failing_tests(report: Path) -> list[str]:
    tree = ET.parse(report)  # noqa: S314  # written by our own pytest run a moment ago
    failed = []
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}")
    return failed


def run_suite(tree: Path, report: Path) -> int:
    ignores = [f"--ignore={path}" for path in SKIPPED_TESTS]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [*command, *ignores, f"--junitxml={report}", "tests"], cwd=tree, env=env, capture_output=True, check=False
    )
    return done.returncode


def plant_and_run(bug: Bug) -> tuple[str, list[str]]:
    with tempfile.TemporaryDirectory(prefix="plant-") as parent:
        tree = Path(parent) / "repo"
        tree.mkdir()
        copy_tree(tree)
        path = tree / bug.path
        try:
            path.write_text(bug.plant(path.read_text()))
        except (LookupError, FileNotFoundError) as exc:
            return f"not planted ({exc})", []
        report = Path(parent) / "report.xml"
        code = run_suite(tree, report)
        if not report.exists():
            return f"pytest exited {code} without a report", []
        return "planted", failing_tests(report)


def table(results: list[tuple[Bug, str, list[str]]]) -> str:
    lines = ["| behaviour the README promises | planted bug | caught by |", "|---|---|---|"]
    for bug, status, failed in results:
        if status != "planted":
            caught = status
        elif failed:
            shown = ", ".join(f"`{name}`" for name in failed[:6])
            caught = f"{len(failed)}: {shown}" + (f" and {len(failed) - 6} more" if len(failed) > 6 else "")
        else:
            caught = "**none**"
        lines.append(f"| {bug.promise} | {bug.name} (`{bug.path}`) | {caught} |")
    return "\n".join(lines)


def write_into(path: Path, text: str) -> None:
    splice(path, "plant-bugs", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=[bug.name for bug in BUGS], help="plant only these")
    parser.add_argument("--write", type=Path, help="put the table between the plant-bugs markers of this file")
    args = parser.parse_args(argv)
    results = []
    for bug in BUGS:
        if args.only and bug.name not in args.only:
            continue
        status, failed = plant_and_run(bug)
        results.append((bug, status, failed))
        sys.stdout.write(f"{bug.name}: {status}, {len(failed)} failing tests\n")
        sys.stdout.flush()
    text = table(results)
    sys.stdout.write(text + "\n")
    if args.write:
        write_into(args.write, text)
    missed = [bug.name for bug, status, failed in results if status != "planted" or not failed]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
