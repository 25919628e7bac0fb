"""Where a learner stands: every kata (not started, k of n behaviours, done) and what is next.

One pytest process runs every spec against the learner's tree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.learner import first_failing, run_katas
from scripts.project import KATAS, kata_names
from specs import course
from specs.report import Behaviour

BAR = 20


def bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else 0
    return "█" * filled + "░" * (BAR - filled)


def import_failure(behaviours: list[Behaviour]) -> str | None:
    """Why the kata's module cannot be imported (a SyntaxError, ...), or None."""
    return next((b.message.splitlines()[0] for b in behaviours
                 if b.message.startswith("could not import")), None)


def status(behaviours: list[Behaviour]) -> str:
    passed, total = sum(b.passed for b in behaviours), len(behaviours)
    if passed == total:
        return "done"
    broken = import_failure(behaviours)
    if broken is not None:
        return "does not import: " + broken.split(": ", 1)[1]
    return "not started" if passed == 0 else f"{passed} of {total} behaviours"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", type=Path, default=KATAS, help="the learner's tree (katas/)")
    options = parser.parse_args(argv)
    results = run_katas([KATAS / kata for kata in kata_names()], impl=options.impl.resolve())
    print(f"{'kata':<20} {'':<{BAR}}  status")
    upcoming = None
    for kata in kata_names():
        behaviours = results.get(kata, [])
        passed = sum(b.passed for b in behaviours)
        print(f"{kata:<20} {bar(passed, len(behaviours))}  {status(behaviours)}")
        if upcoming is None and passed < len(behaviours):
            upcoming = (kata, first_failing(behaviours))
    print()
    if upcoming is None:
        print("Every kata is done. Well played!")
        return 0
    kata, behaviour = upcoming
    assert behaviour is not None  # a kata with a behaviour that does not pass
    number = course.kata(kata).number
    print(f"Next: {kata}, task {behaviour.task} ({behaviour.task_title}): {behaviour.text}")
    print(f"      run `{course.kata(kata).command}`; stuck? `tox -e hint -- {number}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
