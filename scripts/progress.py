"""Where a learner stands: every kata (not started, k of n behaviours and the task they are on,
done, missing) and what is next; the exit status is 1 while any kata is missing or not done.

One pytest process runs every spec against the learner's tree.
"""

from __future__ import annotations

import sys

from scripts.learner import (
    Parser,
    existing_folder,
    first_failing,
    interruptible,
    is_done,
    missing,
    run_katas,
)
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


def status(kata: str, behaviours: list[Behaviour]) -> str:
    passed, total = sum(b.passed for b in behaviours), len(behaviours)
    if not total:
        return f"no behaviours collected from its spec: `{course.kata(kata).command}` says why"
    if passed == total:
        return "done"
    broken = import_failure(behaviours)
    if broken is not None:
        return "does not import: " + broken.split(": ", 1)[1]
    tasks = len(course.kata(kata).tasks)
    on = min(b.task for b in behaviours if not b.passed)
    return (f"not started: {tasks} tasks" if passed == 0
            else f"{passed} of {total} behaviours, on task {on} of {tasks}")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", type=existing_folder, default=KATAS,
                        help="the learner's tree (katas/)")
    options = parser.parse_args(argv)
    results = run_katas(kata_names(), impl=options.impl)
    print(f"{'kata':<20} {'':<{BAR}}  status")
    upcoming: tuple[str, Behaviour | None, str | None] | None = None
    for kata in kata_names():
        behaviours, gone = results.get(kata, []), missing(kata, options.impl)
        passed = sum(b.passed for b in behaviours)
        print(f"{kata:<20} {bar(passed, len(behaviours))}  {gone or status(kata, behaviours)}")
        if upcoming is None and (gone or not is_done(behaviours)):
            upcoming = (kata, first_failing(behaviours), gone)
    print()
    if upcoming is None:
        print("Every kata is done. Well played!")
        return 0
    kata, behaviour, gone = upcoming
    number = course.kata(kata).number
    if gone is not None:
        print(f"Next: {kata} is {gone}")
    elif behaviour is None:
        print(f"Next: {kata}: run `{course.kata(kata).command}` to see why no behaviour runs")
    else:
        print(f"Next: {kata}, task {behaviour.task} ({behaviour.task_title}): {behaviour.text}")
        print(f"      run `{course.kata(kata).command}`; stuck? `{course.tox('hint', number)}`")
    return 1


if __name__ == "__main__":
    sys.exit(interruptible(main))
