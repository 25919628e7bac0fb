"""What the learner tools share: finding a kata by number, running specs, a state folder.

Learner state (hints shown, backups) lives in ``.learner/`` at the project root,
outside every kata folder and ignored by git.
"""

from __future__ import annotations

from pathlib import Path

from scripts.project import KATAS, ROOT, kata_module, run_specs
from specs import course
from specs.report import Behaviour

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


def run_katas(targets: list[Path], *, impl: Path = KATAS) -> dict[str, list[Behaviour]]:
    """Run the specs in `targets` (one pytest process): kata -> its behaviours, in task order."""
    by_kata: dict[str, list[Behaviour]] = {}
    for outcome in run_specs(impl, targets):
        by_kata.setdefault(outcome.kata, []).append(outcome)
    return by_kata


def chosen_kata(number: str | None, impl: Path = KATAS) -> str:
    """The kata asked for by number, or else the one the learner is on."""
    return kata_by_number(number) if number else kata_on(impl)[0]


def kata_on(impl: Path = KATAS) -> tuple[str, list[Behaviour]]:
    """The kata the learner is on, the first of the course not all green (the last once
    every kata is), and its behaviours: one run of every spec."""
    results = run_katas([KATAS / kata.folder for kata in course.katas()], impl=impl)
    on = next((kata.folder for kata in course.katas()
               if not all(b.passed for b in results.get(kata.folder, []))),
              course.katas()[-1].folder)
    print(f"(no kata given: {on}, the kata you are on)", flush=True)
    return on, results.get(on, [])


def first_failing(behaviours: list[Behaviour]) -> Behaviour | None:
    return next((b for b in behaviours if not b.passed), None)
