"""The learner's checklist, one screen at a time.

A kata's tasks climb from the idea to hardening, so a learner works on one task at a time:
the first task that is not all green (the *current* one) shows its behaviours, each task
before it is one ✓ line, and each task after it is one line saying how far it is
("Task 3: measure a job in loop time — 5 behaviours, not started"). Within the current task
the cases of one parametrised behaviour that share a verdict are one line ("[3 cases]").
``everything`` (``--all``, or pytest's ``-v``) shows every case of every task.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from specs import blame

if TYPE_CHECKING:
    from specs.report import Behaviour

MARKS = {"passed": "✓", "failed": "✗", "not run": "·", "skipped": "·"}
SPEC_BUG_MARK = "!"  # a behaviour whose spec crashed: no verdict on the learner's code
CASE = " [case: "


@dataclass(frozen=True)
class Line:
    """One line of the checklist and how it is shown: plain, green, red or bold."""

    text: str
    style: str = ""


def mark(behaviour: Behaviour) -> str:
    """✓, ✗, · (not run) or ! (the spec crashed: no verdict on the learner's code)."""
    if behaviour.cause == blame.SPEC:
        return SPEC_BUG_MARK
    return MARKS.get(behaviour.status, "?")


def checklist(behaviours: Iterable[Behaviour], *, everything: bool = False,
              unfold: str | None = "--all") -> list[Line]:
    """Every kata of the run, its tasks in order: the current task's behaviours, the other
    tasks folded to a line each (unless `everything`); a last line names `unfold`, the
    command that shows every behaviour (none if `unfold` is None)."""
    lines: list[Line] = []
    folded = 0
    for kata, of_kata in groupby(behaviours, key=lambda b: b.kata):
        tasks = [(number, list(of_task)) for number, of_task in
                 groupby(of_kata, key=lambda b: b.task)]
        current = next((number for number, of_task in tasks
                        if not all(b.passed for b in of_task)), None)
        lines += [Line(""), Line(kata, "bold")]
        for number, of_task in tasks:
            title = of_task[0].task_title
            if everything or number == current:
                lines.append(Line(f"  Task {number}: {title}"))
                lines += _rows(of_task, grouped=not everything)
                continue
            folded += 1
            passed = sum(b.passed for b in of_task)
            if passed == len(of_task):
                lines.append(Line(f"  ✓ Task {number}: {title} — {_count(passed)} "
                                  f"pass{'es' if passed == 1 else ''}", "green"))
            elif passed:
                lines.append(Line(f"  · Task {number}: {title} — {passed} of {_count(len(of_task))}"
                                  " pass"))
            else:
                lines.append(Line(f"  · Task {number}: {title} — {_count(len(of_task))}, "
                                  "not started"))
    return lines if not folded or unfold is None else [*lines, Line(
        f"  (the other tasks are folded to a line each; `{unfold}` shows every behaviour)")]


def _count(n: int) -> str:
    return f"{n} behaviour" + ("" if n == 1 else "s")


def _rows(behaviours: list[Behaviour], *, grouped: bool) -> Iterator[Line]:
    """A line per behaviour; `grouped`: one line for the cases of a test that share a mark."""
    def key(b: Behaviour) -> tuple[str, str]:
        return (b.test.split("[")[0] if grouped and CASE in b.text else b.test, mark(b))

    for (_, shown), run in groupby(behaviours, key=key):
        same = list(run)
        text = same[0].text
        if len(same) > 1:
            text = f"{text.split(CASE)[0]} [{len(same)} cases]"
        yield Line(f"    {shown} {text}", "green" if shown == "✓" else
                   "red" if shown in ("✗", SPEC_BUG_MARK) else "")
