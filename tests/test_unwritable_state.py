"""A `.learner/` that cannot be written, and bad arguments: one line each, never a traceback.

As root a read-only folder is still writable, so `.learner` is made a file here: nothing can
be created under it, whoever runs the tools.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scripts.learner import module_file
from scripts.project import REFERENCE, ROOT
from tests.conftest import tool


@pytest.fixture
def blocked(clone: Path) -> Path:
    """The clone, with a `.learner` that is a file."""
    (clone / ".learner").write_text("not a folder\n")
    return clone


def test_hint_still_hints_with_a_note(blocked: Path) -> None:
    hinted = tool(blocked, "hint", "1")
    assert hinted.returncode == 0 and hinted.stdout.startswith("Hint 1 of"), hinted.stdout
    assert "Traceback" not in hinted.stderr
    note, = hinted.stderr.splitlines()  # the reason is the system's: File exists, ...
    assert note.startswith("note: .learner cannot be written (") and note.endswith(
        "): the next `hint` shows this hint again"), note


def test_reset_refuses_in_one_line_and_changes_nothing(blocked: Path) -> None:
    mine = module_file("kata01_gather", blocked / "katas")
    work = mine.read_text() + "# my work\n"
    mine.write_text(work)
    done = tool(blocked, "reset", "1")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    said = done.stderr.strip()
    assert said.startswith("reset: your file cannot be saved to .learner/backups/kata01_gather (")
    assert said.endswith("), so nothing was changed") and "\n" not in said, said
    assert mine.read_text() == work


def test_a_kata_run_does_not_need_the_state_folder(blocked: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "katas/kata01_gather", "--learner",
                          "--impl", str(REFERENCE)], cwd=blocked, capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0 and "behaviours pass" in run.stdout, run.stdout + run.stderr


def test_an_unreadable_hints_file_is_started_afresh(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "hints.json").write_text("{not json")
    hinted = tool(ROOT, "hint", "1", "--state", str(state))
    assert hinted.returncode == 0 and hinted.stdout.startswith("Hint 1 of"), hinted.stderr
    assert hinted.stderr.startswith("note: ") and hinted.stderr.count("\n") == 1


@pytest.mark.parametrize(("args", "named"), [
    (["dojo", "1", "--minutes", "x"], "--minutes"),
    (["dojo", "1", "--minutes", "0"], "--minutes"),
    (["demo", "1", "--impl", "nowhere"], "--impl"),
    (["demo", "1", "--limit", "-1"], "--limit"),
    (["progress", "--impl", "nowhere"], "--impl"),
    (["watch", "1", "--impl", "nowhere"], "--impl"),
    (["hint", "1", "--task", "x"], "--task"),
    (["reset", "--all-katas", "--restore"], "--restore"),
    (["progress", "--bogus"], "--bogus"),
    (["watch", "99"], "99"),
    (["demo", "99"], "99"),
    (["hint", "0"], "0"),
    (["reset", "eleven"], "eleven"),
])
def test_a_bad_argument_gets_one_line(args: list[str], named: str) -> None:
    done = tool(ROOT, *args)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and named in done.stderr, done.stderr
    assert "usage:" in done.stderr or "the katas are: 1 (kata01_gather)" in done.stderr
    assert not done.stdout, done.stdout

