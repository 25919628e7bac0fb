"""The dojo's record of a session, watch's screen once a kata is green, the summary line."""

from __future__ import annotations

from pathlib import Path

from scripts.dojo import Session
from scripts.watch import render
from specs import course
from specs.report import Behaviour
from tests.conftest import run_module


def run(*green: str, red: str = "") -> list[Behaviour]:
    return [Behaviour("kata01_gather", 1, "t", name, status="passed", test=name)
            for name in green] + [Behaviour("kata01_gather", 1, "t", name, status="failed",
                                            test=name) for name in red.split()]


def test_green_counts_once_per_turn_and_regressions_name_the_turn() -> None:
    session = Session(5, drivers=("ann", "bob"))
    session.on_run(run(red="a b"))  # the first run: where the session starts
    session.on_run(run("a", red="b"))
    session.on_run(run(red="a b"))  # a regression in turn 1
    session.on_run(run("a", red="b"))  # green again in turn 1: counted once
    session.turn = 2
    session.on_run(run("a", "b"))
    session.on_run(run("b", red="a"))  # bob broke it
    assert [(c.turn, c.test) for c in session.turned_green] == [(1, "a"), (2, "b")]
    assert [(c.turn, c.test) for c in session.regressions] == [(1, "a"), (2, "a")]
    summary = session.summary()
    assert "2 behaviour(s) turned green" in summary and "2 regression(s)" in summary
    assert "turn 2 (bob) at" in summary and "broke: task 1, a" in summary


def test_watch_names_the_next_kata_and_its_command() -> None:
    first, second = course.katas()[:2]
    screen = render(first.folder, run("a"), Path("katas") / first.folder)
    assert f"On to the next kata, {second.folder}: `./tox -e watch -- {second.number}`" in screen
    last = course.katas()[-1]
    assert "last kata of the course" in render(last.folder, run("a"), Path("katas"))
    assert "no behaviours collected" in render(first.folder, [], Path("katas"))


def test_the_virtual_time_line_is_for_kata_specs_only() -> None:
    kit = run_module("pytest", "tests/test_http_kit.py", "-q", "-p", "no:randomly")
    assert kit.returncode == 0 and "virtual time:" not in kit.stdout, kit.stdout
    specs = run_module("pytest", "katas/kata01_gather", "--impl", "reference", "-q")
    assert "virtual time:" in specs.stdout, specs.stdout
