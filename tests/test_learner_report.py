"""What a learner sees: `--learner` output, and clear errors for a wrong `--impl`."""

from __future__ import annotations

from pathlib import Path

from scripts.project import KATAS, REFERENCE
from specs import course
from tests.conftest import SpecRun, behaviours_of, run_module


def test_stub_run_names_the_next_behaviour(stubs: Path) -> None:
    run = run_module("pytest", str(KATAS / "kata01_gather"), "--learner", "--impl", str(stubs))
    assert run.returncode == 1
    out = run.stdout
    assert f"Task 1: {course.kata(1).task_title(1)}" in out  # the title, from course.toml
    assert "✗ awaits the jobs one after another: the total time is the sum" in out
    assert f"0 of {behaviours_of('kata01_gather')} behaviours pass." in out
    assert (f"Next: task 1 ({course.kata(1).task_title(1)}), in "
            f"{stubs / 'kata01_gather' / 'gather.py'}:\n  awaits the jobs one after another") in out
    assert "`run_sequentially` is not implemented yet" in out
    assert "stuck? ./tox -e hint -- 1" in out
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


PROBE = """
    def divide(a, b):
        return a / b

    async def boom():
        return divide(1, 0)

    def chatty():
        for n in range(8):
            print(f"line {n}")
"""

SPEC = """
    import pytest
    from specs import implementation

    probe = implementation("kata99_probe", "probe")

    async def test_raises():
        \"\"\"the probe divides\"\"\"
        await probe.boom()

    def test_prints():
        \"\"\"the probe talks\"\"\"
        probe.chatty()
        assert False, "failed on purpose"

    @pytest.mark.parametrize("n", [1, 2])
    def test_cases(n):
        \"\"\"each case counts\"\"\"
        assert n == 1
"""


def test_a_failure_says_where_in_the_learners_code_and_what_it_printed(run_spec: SpecRun) -> None:
    outcomes = run_spec(PROBE, SPEC)
    raised = outcomes["test_raises"].message
    # a path outside the folder the run started in is shown whole; inside it, relative to it
    assert raised.startswith("your code raised ZeroDivisionError: division by zero, in "
                             "divide() at /"), raised
    assert "/impl/kata99_probe/probe.py:3 (`return a / b`)" in raised.splitlines()[0], raised
    printed = outcomes["test_prints"].message
    assert "Printed (8 lines; the last 5;" in printed and "| line 7" in printed, printed
    assert "| line 2" not in printed, printed
    cases = {o.name: (o.text, o.passed) for o in outcomes.values()
             if o.name.startswith("test_cases")}
    assert cases == {"test_cases[1]": ("each case counts [case: 1]", True),
                     "test_cases[2]": ("each case counts [case: 2]", False)}, cases


def test_k_matches_the_sentences_learners_read(stubs: Path) -> None:
    run = run_module("pytest", str(KATAS / "kata04_timeouts"), "--learner", "-k", "clean-up",
                     "--impl", str(stubs))
    shown = [line for line in run.stdout.splitlines() if line.strip().startswith(("✓", "✗"))]
    assert shown and all("clean-up" in line for line in shown), run.stdout


def test_a_green_kata_names_the_next() -> None:
    first, second = course.katas()[:2]
    run = run_module("pytest", str(KATAS / first.folder), "--learner", "--impl", str(REFERENCE))
    assert f"Next kata: {second.folder}" in run.stdout and "Run `./tox -e kata2`." in run.stdout
