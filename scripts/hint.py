"""Show the next unseen hint for the task a learner is on (one at a time; --all for all).

The task is the one of the first behaviour that does not pass yet (or --task N).
Which hints were shown is remembered in .learner/hints.json, outside the katas.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from scripts.learner import (
    STATE,
    Parser,
    chosen_kata,
    existing_folder,
    first_failing,
    interruptible,
    kata_on,
    load_state,
    missing,
    run_katas,
    save_state,
)
from scripts.progress import import_failure
from scripts.project import KATAS
from specs import course

SECTION = re.compile(r"^## Task (\d+): (.+)$")
ITEM = re.compile(r"^\d+\. (.*)$")


def parse(text: str) -> dict[int, tuple[str, list[str]]]:
    """HINTS.md -> task number -> (title, hints in order)."""
    tasks: dict[int, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if section := SECTION.match(line):
            current = []
            tasks[int(section.group(1))] = (section.group(2), current)
        elif current is not None and (item := ITEM.match(line)):
            current.append(item.group(1))
        elif current and line.startswith("   ") and line.strip():
            current[-1] += " " + line.strip()  # a hint that runs over several lines
    return tasks


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("kata", nargs="?", help="the kata's number (default: the one you are on)")
    parser.add_argument("--all", action="store_true", help="show every hint of the kata")
    parser.add_argument("--task", type=int, help="the task to hint (default: the one you are on)")
    parser.add_argument("--impl", type=existing_folder, default=KATAS,
                        help="the learner's tree (katas/)")
    parser.add_argument("--state", type=Path, default=STATE, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    kata, behaviours = (options.kata, []) if options.kata else kata_on(options.impl)
    kata = chosen_kata(kata, options.impl)  # a missing kata: one line, and no hint spent
    notes = KATAS / kata / "HINTS.md"
    hints = parse(notes.read_text(encoding="utf-8")) if notes.is_file() else {}
    if options.all:
        for number, (title, items) in sorted(hints.items()):
            print(f"Task {number}: {title}")
            for index, hint in enumerate(items, 1):
                print(f"  {index}. {hint}")
        return 0
    task = options.task
    if task is None:
        behaviours = behaviours or run_katas([kata], impl=options.impl).get(kata, [])
        broken = import_failure(behaviours)
        if broken is not None:  # no hint spent: the module must import first
            print(f"{kata}: your module {broken.removeprefix('could not import ')}\n"
                  "Mend that first: no behaviour can run until the module imports.")
            return 1
        behaviour = first_failing(behaviours)
        if behaviour is None:
            print(f"Every behaviour of {kata} passes: no hint needed (--all shows them anyway).")
            return 0
        task = behaviour.task
    if task not in hints:
        raise SystemExit(f"{kata} has no hints for task {task}; its tasks are {sorted(hints)}"
                         if hints else f"{kata}: {missing(kata) or 'HINTS.md has no hints'}")
    title, items = hints[task]
    state_file = options.state / "hints.json"
    shown = load_state(state_file)
    count = shown.setdefault(kata, {}).get(str(task), 0)
    if count >= len(items):
        print(f"That was the last hint for task {task} ({title}). Every hint of the kata: "
              f"`{course.tox('hint', course.kata(kata).number, '--all')}`")
        return 0
    print(f"Hint {count + 1} of {len(items)} for {kata}, task {task} ({title}):")
    print(f"  {items[count]}")
    shown[kata][str(task)] = count + 1
    save_state(state_file, shown, "the next `hint` shows this hint again")
    return 0


if __name__ == "__main__":
    sys.exit(interruptible(main))
