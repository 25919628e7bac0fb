"""What a learner sees: `--learner` output, and clear errors for a wrong `--impl`."""

from __future__ import annotations

from pathlib import Path

from scripts.project import KATAS, REFERENCE
from specs import course
from tests.conftest import behaviours_of, run_module


def test_stub_run_names_the_next_behaviour() -> None:
    run = run_module("pytest", str(KATAS / "kata01_gather"), "--learner")
    assert run.returncode == 1
    out = run.stdout
    assert f"Task 1: {course.kata(1).task_title(1)}" in out  # the title, from course.toml
    assert "✗ awaits the jobs one after another: the total time is the sum" in out
    assert f"0 of {behaviours_of('kata01_gather')} behaviours pass." in out
    assert "Next: task 1, awaits the jobs one after another" in out
    assert "`run_sequentially` is not implemented yet" in out
    assert "stuck? tox -e hint -- 1" in out
    assert "Traceback" not in out and "def test_" not in out, "no tracebacks for learners"


def test_reference_run_is_all_green() -> None:
    run = run_module("pytest", str(KATAS / "kata02_http"), "--learner", "--impl", str(REFERENCE))
    assert run.returncode == 0, run.stdout[-2000:]
    assert "behaviours pass." in run.stdout and "✗" not in run.stdout and "Next:" not in run.stdout


def test_a_missing_impl_folder_is_a_usage_error(tmp_path: Path) -> None:
    run = run_module("pytest", str(KATAS / "kata01_gather"), "--impl", str(tmp_path / "nowhere"))
    assert run.returncode == 4
    assert "nowhere is not a folder" in run.stderr


def test_a_tree_without_the_module_says_so(tmp_path: Path) -> None:
    run = run_module("pytest", str(KATAS / "kata01_gather"), "--impl", str(tmp_path), "--learner")
    assert run.returncode == 1
    assert "no module kata01_gather/gather.py in that folder" in run.stdout


def test_a_syntax_error_is_reported_per_behaviour(tmp_path: Path) -> None:
    (tmp_path / "kata01_gather").mkdir()
    (tmp_path / "kata01_gather" / "gather.py").write_text("async def run_sequentially(jobs)\n")
    run = run_module("pytest", str(KATAS / "kata01_gather"), "--impl", str(tmp_path), "--learner")
    assert run.returncode == 1
    assert "could not import" in run.stdout and "SyntaxError" in run.stdout
