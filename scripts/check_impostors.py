"""Prove each kata's spec tells right from wrong, beyond the reference solution.

An impostor, ``impostors/<kata>/<mistake>.py``, is a plausible wrong implementation:
the spec must catch it (at least one test fails; those tests are printed). An
alternative, ``alternatives/<kata>/<style>.py``, is a correct implementation
written unlike the reference: the spec must pass it, or it pins incidental details.
Each module runs in a scratch tree shaped like ``katas/``; its docstring's first
line says what it is.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scripts.project import (
    ALTERNATIVES,
    IMPOSTORS,
    KATAS,
    Outcome,
    kata_module,
    kata_names,
    run_specs,
)


def modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def run(kata: str, module: Path) -> list[Outcome]:
    """The kata's spec run against `module` standing in for the kata's module."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "stand_in"
        (tree / kata).mkdir(parents=True)
        shutil.copy(module, tree / kata / f"{kata_module(kata)}.py")
        return run_specs(tree, sorted((KATAS / kata).glob("test_*.py")))


def summary(module: Path) -> str:
    return (module.read_text().split('"""')[1].strip().splitlines() or ["?"])[0]


def first_line(outcome: Outcome) -> str:
    return f"{outcome.test}: {outcome.message.splitlines()[0] if outcome.message else ''}"[:150]


def check_impostor(kata: str, impostor: Path, outcomes: list[Outcome]) -> bool:
    caught = [o for o in outcomes if not o.passed]
    print(f"  {'caught ' if caught else 'ESCAPED'} {impostor.stem}: {summary(impostor)}")
    for outcome in caught[:3]:
        print(f"      by {first_line(outcome)}")
    if len(caught) > 3:
        print(f"      and {len(caught) - 3} more")
    return bool(caught)


def check_alternative(kata: str, alternative: Path, outcomes: list[Outcome]) -> bool:
    rejected = [o for o in outcomes if not o.passed]
    verdict = "REJECTED" if rejected or not outcomes else "accepted"
    print(f"  {verdict} {alternative.stem}: {summary(alternative)}")
    for outcome in rejected:
        print(f"      by {first_line(outcome)}")
    return verdict == "accepted"


def main() -> int:
    plan = [(kata, modules(IMPOSTORS / kata), modules(ALTERNATIVES / kata))
            for kata in kata_names()]
    jobs = [(kata, module) for kata, impostors, alternatives in plan
            for module in impostors + alternatives]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # one pytest process each
        outcomes = dict(zip(jobs, pool.map(lambda job: run(*job), jobs), strict=True))
    escaped, rejected = [], []
    for kata, impostors, alternatives in plan:
        print(f"{kata}: {len(impostors)} impostors, {len(alternatives)} alternatives")
        escaped += [f"{kata}/{m.stem}" for m in impostors
                    if not check_impostor(kata, m, outcomes[kata, m])]
        rejected += [f"{kata}/{m.stem}" for m in alternatives
                     if not check_alternative(kata, m, outcomes[kata, m])]
    impostor_count = sum(len(impostors) for _, impostors, _ in plan)
    alternative_count = sum(len(alternatives) for _, _, alternatives in plan)
    print(f"impostors: caught={impostor_count - len(escaped)} escaped={len(escaped)} "
          f"total={impostor_count}")
    print(f"alternatives: accepted={alternative_count - len(rejected)} rejected={len(rejected)} "
          f"total={alternative_count}")
    return 1 if escaped or rejected or not impostor_count else 0


if __name__ == "__main__":
    sys.exit(main())
