"""`make mutation`: mutmut over the modules that guard money and trust, with a score per module.

mutmut (configured under ``[tool.mutmut]`` in pyproject.toml) copies the tree to ``mutants/``, runs the
suite once to learn which tests reach which function, then runs only those tests against each mutant.
This script runs it, reads the per-file results mutmut leaves in ``mutants/**/*.meta``, and prints (or
writes into TESTING.md, between its markers) killed / survived / untested per module. Mutants listed in
``tests/mutation_equivalents.txt`` (one name and the reason on each line) are counted apart: they
cannot be killed because they do not change behaviour.

    python -m benchmarks.mutation [--no-run] [--sample N [--seed S]] [--max-children N] [--write TESTING.md]

``--sample N`` tests N mutants per module, drawn with a fixed seed, instead of all of them: an estimate
of the score (with its size stated) when a full run does not fit the time there is. Each run records
what it was (commit, modules, sample, seed) in ``mutants/run.json``; the report (``--no-run`` too)
describes that run, and ``--write`` puts the table, the survivors and the equivalent mutants with
their reasons between the markers, and nothing else.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.splice import splice

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
RUN = ROOT / "mutants" / "run.json"  # what the last run was: commit, modules, sample, seed
KILLED_CODES = {1, 3, 24, 36, 37, 152, 255, -24}  # a failing test, a timeout, a type-check failure
SURVIVED_CODES = {0}
UNTESTED_CODES = {5, 33}


def guarded_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return [str(path) for path in config["only_mutate"]]


def equivalents() -> dict[str, str]:
    if not EQUIVALENTS.exists():
        return {}
    found = {}
    for line in EQUIVALENTS.read_text().splitlines():
        name, _, reason = line.partition(" ")
        if name and not name.startswith("#"):
            found[name] = reason.strip()
    return found


def results(module_path: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / f"{module_path}.meta"
    if not meta.exists():
        return {}
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return codes


def sample(per_module: int, seed: int) -> list[str]:
    """Mutant names, ``per_module`` from each guarded module (all of a smaller one), the same for a seed."""
    if not any(results(module) for module in guarded_modules()):
        # mutmut writes the mutants (and their names) before it filters; a name nothing matches stops it there
        subprocess.run([str(_mutmut()), "run", "no-such-mutant"], cwd=ROOT, check=False, capture_output=True)
    rng = random.Random(seed)
    chosen: list[str] = []
    for module in guarded_modules():
        names = sorted(results(module))
        chosen += rng.sample(names, min(per_module, len(names)))
    return chosen


def _mutmut() -> Path:
    return Path(sys.executable).parent / "mutmut"


def classify(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in KILLED_CODES:
        return "killed"
    if code in SURVIVED_CODES:
        return "survived"
    if code in UNTESTED_CODES:
        return "untested"
    return "suspicious"


def record_run(sample_size: int | None, seed: int, names: list[str]) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    run = {
        "commit": commit.stdout.strip() + (" (with uncommitted changes)" if dirty else ""),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "modules": guarded_modules(),
        "sample": sample_size,
        "seed": seed if sample_size else None,
        "drawn": len(names),
    }
    RUN.parent.mkdir(exist_ok=True)
    RUN.write_text(json.dumps(run, indent=2))


def recorded_run() -> dict[str, object]:
    if RUN.exists():
        run: dict[str, object] = json.loads(RUN.read_text())
        return run
    return {"modules": guarded_modules()}


def describe(run: dict[str, object]) -> str:
    what = f"a seeded sample (`--sample {run['sample']} --seed {run['seed']}`)" if run.get("sample") else "every mutant"
    return f"Run at `{run.get('commit', '?')}` ({run.get('started', '?')}): {what}."


def score_table(modules: list[str] | None = None) -> tuple[str, list[str]]:
    known = equivalents()
    lines = [
        "| module | mutants | killed | survived | untested | equivalent | score |",
        "|---|---|---|---|---|---|---|",
    ]
    survivors: list[str] = []
    totals: Counter[str] = Counter()
    for module in modules or guarded_modules():
        counts: Counter[str] = Counter()
        for name, code in sorted(results(module).items()):
            status = "equivalent" if name in known else classify(code)
            counts[status] += 1
            if status in {"survived", "untested", "suspicious"}:
                survivors.append(f"{name}: {status}")
        totals.update(counts)
        lines.append(_row(f"`{module}`", counts))
    lines.append(_row("**all**", totals))
    return "\n".join(lines), survivors


def _row(label: str, counts: Counter[str]) -> str:
    mutants = sum(counts.values())
    scored = mutants - counts["equivalent"] - counts["not checked"]
    score = f"{100 * counts['killed'] / scored:.1f}%" if scored else "n/a"
    pending = f" ({counts['not checked']} not run)" if counts["not checked"] else ""
    return (
        f"| {label} | {mutants}{pending} | {counts['killed']} | {counts['survived'] + counts['suspicious']} | "
        f"{counts['untested']} | {counts['equivalent']} | {score} |"
    )


def section(run: dict[str, object]) -> str:
    modules = [str(module) for module in run["modules"]]  # type: ignore[attr-defined]
    table, survivors = score_table(modules)
    found = {name for module in modules for name in results(module)}
    listed = [f"- `{name}`: {reason}" for name, reason in equivalents().items() if name in found]
    return "\n".join(
        [
            describe(run),
            "",
            table,
            "",
            "Survivors, untested and suspicious mutants of this run (`mutmut show NAME` prints each diff):",
            "",
            *([f"- `{s}`" for s in survivors] or ["- none"]),
            "",
            "Equivalent mutants of this run (from `tests/mutation_equivalents.txt`, left out of the score):",
            "",
            *(listed or ["- none"]),
        ]
    )


def write_into(path: Path, text: str) -> None:
    splice(path, "mutation-score", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-run", action="store_true", help="only report what the last run left in mutants/")
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested in parallel")
    parser.add_argument("--write", type=Path, help="put the score table between the markers of this file")
    parser.add_argument("--sample", type=int, help="test this many mutants per module, not all of them")
    parser.add_argument("--seed", type=int, default=11, help="the sample's seed")
    parser.add_argument("mutants", nargs="*", help="run only these mutant names (mutmut's own argument)")
    args = parser.parse_args(argv)
    if not args.no_run:
        names = [*args.mutants, *(sample(args.sample, args.seed) if args.sample else [])]
        record_run(args.sample, args.seed, names)
        command = [str(_mutmut()), "run", "--max-children", str(args.max_children), *names]
        subprocess.run(command, cwd=ROOT, check=False)  # our own venv's mutmut
    text = section(recorded_run())
    sys.stdout.write(text + "\n")
    if args.write:
        write_into(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
