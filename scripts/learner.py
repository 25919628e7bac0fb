"""What the learner tools share: finding a kata by number, running specs, a state folder.

Learner state (hints shown, backups) lives in ``.learner/`` at the project root,
outside every kata folder and ignored by git.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.project import KATAS, ROOT, kata_module, kata_names

STATE = ROOT / ".learner"


def kata_by_number(number: int | str) -> str:
    """``1`` -> ``kata01_gather``; SystemExit with the list of katas otherwise."""
    wanted = f"kata{int(number):02d}_" if str(number).isdigit() else str(number)
    found = [kata for kata in kata_names() if kata.startswith(wanted) or kata == wanted]
    if len(found) != 1:
        raise SystemExit(f"no kata {number!r}; the katas are: "
                         + ", ".join(f"{int(k[4:6])} ({k})" for k in kata_names()))
    return found[0]


def module_file(kata: str, root: Path = KATAS) -> Path:
    """The file a learner edits in `kata` (under `root`)."""
    return root / kata / f"{kata_module(kata)}.py"


@dataclass(frozen=True)
class Behaviour:
    """One behaviour's result, as the spec kit's ``--json`` reports it."""

    kata: str
    task: int
    task_title: str
    text: str
    outcome: str
    message: str


def run_specs(targets: list[Path], *, impl: Path = KATAS) -> dict[str, list[Behaviour]]:
    """Run the specs in `targets` (one pytest process): kata -> its behaviours, in task order."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "results.json"
        subprocess.run([sys.executable, "-m", "pytest", *map(str, targets), "--impl", str(impl),
                        "-q", "-p", "no:randomly", "--tb=no", "--json", str(report)],
                       cwd=ROOT, capture_output=True, text=True, check=False)
        if not report.exists():
            raise SystemExit(f"the specs in {targets} did not run (is the environment set up?)")
        data: dict[str, Any] = json.loads(report.read_text())
    return {kata: [Behaviour(**{k: b[k] for k in Behaviour.__dataclass_fields__})
                   for b in results["behaviours"]]
            for kata, results in data["katas"].items()}


def first_failing(behaviours: list[Behaviour]) -> Behaviour | None:
    return next((b for b in behaviours if b.outcome != "passed"), None)
