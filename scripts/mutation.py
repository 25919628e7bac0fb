"""Run mutmut over `reference/` with the specs and fail when a mutant survives.

mutmut runs in a scratch copy of the project, so `katas/` and `reference/` are
never touched. A surviving mutant passes only when it is listed in
``scripts/equivalent_mutants.toml`` with a written reason; a listed mutant that
no longer exists (or no longer survives) fails the run too, so the list stays true.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

from scripts.project import KATAS, REFERENCE, ROOT, kata_names

EQUIVALENTS = Path(__file__).with_name("equivalent_mutants.toml")
COPIED = ["pyproject.toml", "reference", "specs", "katas"]
COLUMNS = ["mutants", "killed", "survived", "timeout", "equivalent"]


def scratch_copy(into: Path) -> None:
    """Copy what mutmut needs; caches and earlier mutants stay behind."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "mutants")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=ignore)
        else:
            shutil.copy2(source, into / name)


MUTMUT = [sys.executable, "-m", "mutmut"]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def run_mutmut(workdir: Path) -> dict[str, str]:
    """Mutant name -> status, for every mutant of `reference/`."""
    run = subprocess.run([*MUTMUT, "run"], cwd=workdir, env=ENV, capture_output=True, text=True,
                         check=False)
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:], sep="\n")
        raise SystemExit(f"mutation: mutmut run failed (exit {run.returncode})")
    listing = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=workdir, env=ENV,
                             capture_output=True, text=True, check=True)
    statuses = {}
    for line in listing.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name.startswith("reference."):
            statuses[name] = status
    return statuses


def diff(workdir: Path, mutant: str) -> str:
    """The change a mutant makes, as mutmut shows it."""
    shown = subprocess.run([*MUTMUT, "show", mutant], cwd=workdir, env=ENV, capture_output=True,
                           text=True, check=False)
    return shown.stdout.strip()


def load_equivalents() -> dict[str, str]:
    """Listed equivalent mutants: name -> reason (a reason is required)."""
    if not EQUIVALENTS.exists():
        return {}
    entries = tomllib.loads(EQUIVALENTS.read_text()).get("mutant", [])
    missing_reason = [e.get("name", "?") for e in entries if not e.get("reason", "").strip()]
    if missing_reason:
        raise SystemExit(f"mutation: equivalent mutants listed without a reason: {missing_reason}")
    return {e["name"]: e["reason"] for e in entries}


def kata_of(mutant: str) -> str:
    return mutant.split(".")[1]


def tabulate(statuses: dict[str, str], equivalents: dict[str, str]) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for kata in kata_names():
        table[kata]  # every kata gets a row, even one with no mutants yet
    for mutant, status in statuses.items():
        row = table[kata_of(mutant)]
        row["mutants"] += 1
        if status == "survived" and mutant in equivalents:
            row["equivalent"] += 1
        elif status in ("killed", "survived", "timeout"):
            row[status] += 1
        else:
            row["other"] += 1
    return table


def report(statuses: dict[str, str], equivalents: dict[str, str],
           diffs: dict[str, str]) -> int:
    """Print the per-kata table and the summary line; the exit status."""
    table = tabulate(statuses, equivalents)
    print(f"{'kata':<24}" + "".join(f"{c:>11}" for c in COLUMNS))
    for kata, row in sorted(table.items()):
        print(f"{kata:<24}" + "".join(f"{row[c]:>11}" for c in COLUMNS))
    total = Counter()
    for row in table.values():
        total.update(row)
    survivors = sorted(m for m, s in statuses.items() if s == "survived" and m not in equivalents)
    stale = sorted(m for m in equivalents if statuses.get(m) != "survived")
    odd = sorted(f"{m} ({s})" for m, s in statuses.items()
                 if s not in ("killed", "survived", "timeout"))
    for mutant in survivors:
        print(f"  survived: {mutant}")
        print("\n".join(f"      {line}" for line in diffs.get(mutant, "").splitlines()[1:]))
    for mutant in stale:
        print(f"  listed as equivalent but {statuses.get(mutant, 'no longer exists')}: {mutant}")
    for mutant in odd:
        print(f"  not decided: {mutant}")
    for mutant in sorted(m for m, s in statuses.items() if s == "timeout"):
        print(f"  timed out (the specs never let it finish: counted as caught): {mutant}")
    print(f"mutation: killed={total['killed']} survived={total['survived']} "
          f"equivalent={total['equivalent']} timeout={total['timeout']} total={total['mutants']}")
    return 1 if survivors or stale or odd or not statuses else 0


def digest(*trees: Path) -> str:
    """One hash of every file's path and bytes under `trees` (caches excluded)."""
    sha = hashlib.sha256()
    for tree in trees:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                sha.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def main() -> int:
    equivalents = load_equivalents()
    before = digest(KATAS, REFERENCE)
    with tempfile.TemporaryDirectory(prefix="katas-mutation-") as scratch:
        workdir = Path(scratch)
        scratch_copy(workdir)
        statuses = run_mutmut(workdir)
        diffs = {m: diff(workdir, m) for m, s in statuses.items()
                 if s == "survived" and m not in equivalents}
    if digest(KATAS, REFERENCE) != before:
        print("mutation: katas/ or reference/ changed during the run: that must never happen")
        return 1
    return report(statuses, equivalents, diffs)


if __name__ == "__main__":
    sys.exit(main())
