"""What the learner tools share: finding a kata by number, running specs, a state folder.

Learner state (hints shown, backups) lives in ``.learner/`` at the project root,
outside every kata folder and ignored by git.
"""

from __future__ import annotations

from pathlib import Path

from scripts.project import KATAS, ROOT, Outcome, kata_module, run_specs
from specs import course

STATE = ROOT / ".learner"


def kata_by_number(number: int | str) -> str:
    """``1`` (or ``kata01_gather``) -> ``kata01_gather``; SystemExit listing the course
    otherwise."""
    try:
        return course.kata(number).folder
    except LookupError as error:
        raise SystemExit(str(error)) from None


def module_file(kata: str, root: Path = KATAS) -> Path:
    """The file a learner edits in `kata` (under `root`)."""
    return root / kata / f"{kata_module(kata)}.py"


def run_katas(targets: list[Path], *, impl: Path = KATAS) -> dict[str, list[Outcome]]:
    """Run the specs in `targets` (one pytest process): kata -> its behaviours, in task order."""
    by_kata: dict[str, list[Outcome]] = {}
    for outcome in run_specs(impl, targets):
        by_kata.setdefault(outcome.kata, []).append(outcome)
    return by_kata


def first_failing(behaviours: list[Outcome]) -> Outcome | None:
    return next((b for b in behaviours if not b.passed), None)
