"""A gentler first hour: the checklist shows one task at a time, a fresh kata's first screen
fits in 40 lines, and a few lines of code (kept here as a patch of each stub) turn exactly the
first task green."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from scripts import mistakes
from scripts.project import KATAS, ROOT, run_specs
from specs import course
from specs.checklist import Line, checklist
from specs.report import Behaviour
from tests.conftest import run_module

FIRST_TASK = ROOT / "tests" / "first_task"  # <folder>.patch: a stub with task 1 done, minimally
SCREEN = 40  # lines
# Later behaviours that any first-task solution passes by accident, and why (each must pass).
FOR_FREE = {
    "katas/kata05_semaphore/test_pool.py::test_rejects_bad_jobs[a str]":
        "run_tasks('ab', 2) calls 'a'(), which raises the TypeError the check wants",
    "katas/kata10_monitor/test_monitor.py::test_a_cancelled_check_frees_its_place":
        "with no limit yet, nothing holds the next check up",
    "katas/kata10_monitor/test_monitor.py::test_an_infinite_rate_does_not_pace":
        "with no rate yet, nothing paces the checks",
}


def behaviour(task: int, text: str, status: str = "failed", test: str = "") -> Behaviour:
    return Behaviour("kata01_gather", task, f"title {task}", text, status=status,
                     test=test or f"t::{text}")


def shown(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


def test_the_current_task_is_shown_and_the_others_are_a_line_each() -> None:
    run = [behaviour(1, "one", "passed"), behaviour(1, "two", "passed"),
           behaviour(2, "three", "passed"), behaviour(2, "four"),
           behaviour(3, "five", "passed"), behaviour(3, "six"), behaviour(4, "seven")]
    assert shown(checklist(run, unfold="./tox -e kata1 -- --all")) == [
        "", "kata01_gather",
        "  ✓ Task 1: title 1 — 2 behaviours pass",
        "  Task 2: title 2",
        "    ✓ three",
        "    ✗ four",
        "  · Task 3: title 3 — 1 of 2 behaviours pass",
        "  · Task 4: title 4 — 1 behaviour, not started",
        "  (the other tasks are folded to a line each; `./tox -e kata1 -- --all` shows every "
        "behaviour)"]


def test_cases_that_share_a_verdict_are_one_line_and_others_each_theirs() -> None:
    cases = [behaviour(1, f"any shape [case: {c}]", test=f"t::test_x[{c}]") for c in "abc"]
    mixed = [behaviour(1, f"a time [case: {c}]", status, test=f"t::test_y[{c}]")
             for c, status in (("d", "passed"), ("e", "failed"))]
    assert shown(checklist([*cases, *mixed])) == [
        "", "kata01_gather", "  Task 1: title 1", "    ✗ any shape [3 cases]",
        "    ✓ a time [case: d]", "    ✗ a time [case: e]"]


def test_everything_shows_every_case_of_every_task() -> None:
    run = [behaviour(1, "one", "passed"), behaviour(2, "x [case: a]", test="t::test_x[a]"),
           behaviour(2, "x [case: b]", test="t::test_x[b]"), behaviour(3, "four")]
    assert shown(checklist(run, everything=True)) == [
        "", "kata01_gather", "  Task 1: title 1", "    ✓ one", "  Task 2: title 2",
        "    ✗ x [case: a]", "    ✗ x [case: b]", "  Task 3: title 3", "    ✗ four"]


def test_a_green_kata_is_a_line_per_task() -> None:
    run = [behaviour(1, "one", "passed"), behaviour(2, "two", "passed")]
    assert shown(checklist(run))[2:4] == ["  ✓ Task 1: title 1 — 1 behaviour passes",
                                          "  ✓ Task 2: title 2 — 1 behaviour passes"]


@pytest.mark.parametrize("kata", [kata.folder for kata in course.katas()])
def test_a_fresh_kata_fits_on_one_screen(kata: str, stubs: Path) -> None:
    """What `./tox -e kataN` prints on the untouched stub, pytest's own lines included."""
    run = run_module("pytest", str(KATAS / kata), "--learner", "--impl", str(stubs))
    lines = run.stdout.splitlines()
    assert run.returncode == 1 and "Next: task 1 " in run.stdout, run.stdout[-2000:]
    assert len(lines) <= SCREEN, (
        f"the first screen of {kata} is {len(lines)} lines, more than {SCREEN}:\n{run.stdout}")


def test_a_few_lines_turn_exactly_the_first_task_green(stubs: Path, tmp_path: Path) -> None:
    """Each kata's first-task patch, applied to its committed stub, passes every behaviour of
    task 1 and none of the later tasks: task 1 needs the idea alone (one process, all katas)."""
    tree = tmp_path / "katas"
    tree.mkdir()
    for kata in course.katas():
        patch = FIRST_TASK / f"{kata.folder}.patch"
        assert patch.is_file(), f"{kata.folder} has no first-task solution at {patch}"
        stub = stubs / kata.folder / f"{kata.module}.py"
        (tree / kata.folder).mkdir()
        (tree / kata.folder / "__init__.py").touch()
        first = dataclasses.replace(mistakes.read(patch), base=stub).apply()
        (tree / kata.folder / stub.name).write_text(first)
    behaviours = run_specs(tree, [KATAS / kata.folder for kata in course.katas()])
    wrong = [f"  {b.kata} task {b.task} {b.status}: {b.text}" for b in behaviours
             if b.passed != (b.task == 1 or b.test in FOR_FREE)]
    assert behaviours and not wrong, (
        "a first-task solution must pass task 1 and no later task:\n" + "\n".join(wrong))


@pytest.mark.parametrize("kata", [kata.folder for kata in course.katas()])
def test_each_tasks_first_hint_is_a_nudge_with_a_link(kata: str) -> None:
    """The first hint of every task ends in a link to the documentation it needs."""
    sections = (KATAS / kata / "HINTS.md").read_text(encoding="utf-8").split("\n## Task ")[1:]
    assert len(sections) == len(course.kata(kata).tasks)
    for section in sections:
        first = section.split("\n1. ", 1)[1].split("\n2. ", 1)[0]
        assert "https://" in first, f"{kata} HINTS.md, task {section.split(':')[0]}: {first!r}"


@pytest.mark.parametrize("kata", [kata.folder for kata in course.katas()])
def test_each_readme_opens_its_tasks_with_a_snippet_to_try(kata: str) -> None:
    """Before its numbered tasks, a kata's README shows a snippet for `python -m asyncio`."""
    tasks = (KATAS / kata / "README.md").read_text(encoding="utf-8").split("\n## Tasks\n")[1]
    before = tasks.split("\n1. ", 1)[0]
    assert "python -m asyncio" in before and "```python\n" in before, kata
    snippet = before.split("```python\n", 1)[1].split("```", 1)[0]
    lines = [line for line in snippet.splitlines() if line.strip()]  # a blank ends a block
    assert len(lines) <= 5, f"{kata}: the snippet is {len(lines)} lines, over 5"
    compile(snippet, f"{kata} README", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
