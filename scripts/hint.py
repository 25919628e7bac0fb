"""Show the next unseen hint for the task a learner is on (one at a time; --all for all).

The task is the one of the first behaviour that does not pass yet (or --task N).
Which hints were shown is remembered in .learner/hints.json, outside the katas.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from scripts.learner import STATE, first_failing, kata_by_number, kata_on, run_katas
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kata", nargs="?", help="the kata's number (default: the one you are on)")
    parser.add_argument("--all", action="store_true", help="show every hint of the kata")
    parser.add_argument("--task", type=int, help="the task to hint (default: the one you are on)")
    parser.add_argument("--impl", type=Path, default=KATAS, help="the learner's tree (katas/)")
    parser.add_argument("--state", type=Path, default=STATE, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    kata, behaviours = (kata_by_number(options.kata), []) if options.kata else kata_on(
        options.impl.resolve())
    hints = parse((KATAS / kata / "HINTS.md").read_text())
    if options.all:
        for number, (title, items) in sorted(hints.items()):
            print(f"Task {number}: {title}")
            for index, hint in enumerate(items, 1):
                print(f"  {index}. {hint}")
        return 0
    task = options.task
    if task is None:
        behaviours = behaviours or run_katas([KATAS / kata], impl=options.impl.resolve())[kata]
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
        raise SystemExit(f"{kata} has no hints for task {task}; its tasks are {sorted(hints)}")
    title, items = hints[task]
    state_file = options.state / "hints.json"
    shown = json.loads(state_file.read_text()) if state_file.exists() else {}
    count = shown.setdefault(kata, {}).get(str(task), 0)
    if count >= len(items):
        print(f"That was the last hint for task {task} ({title}). Every hint of the kata: "
              f"`tox -e hint -- {course.kata(kata).number} --all`")
        return 0
    print(f"Hint {count + 1} of {len(items)} for {kata}, task {task} ({title}):")
    print(f"  {items[count]}")
    shown[kata][str(task)] = count + 1
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(shown, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
