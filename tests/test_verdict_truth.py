"""A verdict is true about the learner's code: whose fault, which behaviour, which line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.project import KATAS, ROOT
from tests.conftest import SpecRun, run_module

MODULE = """
    async def nothing():
        return None

    async def divide(a, b):
        return a / b

    async def make_and_drop(job):
        made = [job(), job()]  # never awaited; a cycle keeps them until a collection
        made.append(made)
"""

SPEC = """
    import pytest
    from specs import implementation, settle

    probe = implementation("kata99_probe", "probe")

    async def job():
        return 1

    async def failing_job():
        raise TypeError("scripted by the spec")

    @pytest.mark.task(1, "probe")
    async def test_spec_crashes_on_none():
        \"\"\"formats what the code returned\"\"\"
        got = await probe.nothing()
        assert round(got) == 0  # the spec's own bug: round(None)

    @pytest.mark.task(1, "probe")
    async def test_learner_error():
        \"\"\"divides\"\"\"
        await probe.divide(1, 0)

    @pytest.mark.task(1, "probe")
    async def test_scripted_error_is_not_a_spec_crash():
        \"\"\"lets the job's own error through\"\"\"
        async def calls():
            await failing_job()
        await calls()

    @pytest.mark.task(1, "probe")
    async def test_leaks():
        \"\"\"drops coroutines in a cycle\"\"\"
        await probe.make_and_drop(job)

    @pytest.mark.task(1, "probe")
    @pytest.mark.parametrize("n", range(3))
    async def test_after(n):
        \"\"\"a clean behaviour after the leak\"\"\"
        assert await probe.divide(4, 2) == 2
"""


def test_a_crash_of_the_spec_is_never_the_learners_fault(run_spec: SpecRun) -> None:
    outcomes = run_spec(MODULE, SPEC)
    crash = outcomes["test_spec_crashes_on_none"]
    assert crash.cause == "spec", crash
    assert crash.message.startswith("the spec itself failed (a bug in the kata, please report "
                                    "it): TypeError: "), crash.message
    assert "test_spec_crashes_on_none() at " in crash.message, crash.message
    assert "your code raised" not in crash.message
    learner = outcomes["test_learner_error"]
    assert learner.cause == "code" and learner.message.startswith(
        "your code raised ZeroDivisionError: division by zero, in divide() at "), learner
    scripted = outcomes["test_scripted_error_is_not_a_spec_crash"]
    assert scripted.cause == "code", scripted  # a `raise` in the spec is on purpose


def test_a_leak_is_blamed_on_the_behaviour_that_made_it(run_spec: SpecRun) -> None:
    outcomes = run_spec(MODULE, SPEC)
    leak = outcomes["test_leaks"]
    assert leak.status == "failed" and "coroutine 'job' was never awaited" in leak.message, leak
    after = {name: o.status for name, o in outcomes.items() if name.startswith("test_after")}
    assert after == dict.fromkeys(["test_after[0]", "test_after[1]", "test_after[2]"],
                                  "passed"), after


def test_isolate_runs_each_behaviour_alone_with_the_same_verdicts(run_spec: SpecRun) -> None:
    outcomes = run_spec(MODULE, SPEC, "--isolate")
    assert {name: (o.status, o.cause) for name, o in outcomes.items()} == {
        "test_spec_crashes_on_none": ("failed", "spec"),
        "test_learner_error": ("failed", "code"),
        "test_scripted_error_is_not_a_spec_crash": ("failed", "code"),
        "test_leaks": ("failed", "check"),
        **dict.fromkeys([f"test_after[{n}]" for n in range(3)], ("passed", "")),
    }


def _learner_run(tree: Path, *options: str) -> str:
    run = run_module("pytest", str(KATAS / "kata01_gather"), "--learner", "--impl", str(tree),
                     *options)
    return run.stdout


def test_k_says_how_many_were_selected_and_names_no_next_kata(tmp_path: Path) -> None:
    out = _learner_run(ROOT / "reference", "-k", "sequentially")
    assert "selected behaviours pass (this run's -k left out" in out, out[-600:]
    assert "Next kata" not in out
    nothing = _learner_run(ROOT / "reference", "-k", "no-such-words")
    assert "-k selected none of the 21 behaviours" in nothing or "-k selected none" in nothing
    assert "task 1: run jobs one after another" in nothing, nothing[-800:]


def test_an_unimportable_module_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "kata01_gather").mkdir()
    (tmp_path / "kata01_gather" / "gather.py").write_text("import asyncio\n\nx = asyncio.gahter\n")
    report = tmp_path / "results.json"
    out = _learner_run(tmp_path, "--json", str(report))
    assert "gather.py:3: `x = asyncio.gahter`" in out, out[-800:]
    assert "Did you mean: 'gather'?" in out, out[-800:]
    results = json.loads(report.read_text())
    assert results["status"] == "error" and "gather.py:3" in results["message"], results
    (tmp_path / "kata01_gather" / "gather.py").write_text("def broken(:\n")
    out = _learner_run(tmp_path)
    assert "SyntaxError at " in out and "kata01_gather/gather.py:1: " in out, out[-800:]


def test_a_missing_module_of_the_learners_tree_says_how_to_bring_it_back(tmp_path: Path) -> None:
    kata = tmp_path / "katas" / "kata01_gather"  # a learner's folder whose module was deleted
    kata.mkdir(parents=True)
    for name in ("__init__.py", "test_gather.py"):
        shutil.copy(KATAS / "kata01_gather" / name, kata / name)
    run = subprocess.run([sys.executable, "-m", "pytest", "katas/kata01_gather", "--learner",
                          "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert ("katas/kata01_gather/gather.py is missing: `./tox -e reset -- 1` brings the stub "
            "back") in run.stdout, run.stdout[-800:] + run.stderr[-800:]
    assert "--impl" not in run.stdout


def test_a_crash_of_the_spec_is_logged_for_the_mutation_check(
        run_spec: SpecRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "crashes.log"
    monkeypatch.setenv("KATAS_SPEC_CRASHES", str(log))
    monkeypatch.setenv("MUTANT_UNDER_TEST", "reference.kata99_probe.probe.x_nothing__mutmut_1")
    run_spec(MODULE, SPEC)
    lines = log.read_text().splitlines()
    assert len(lines) == 1, lines
    mutant, test, message = lines[0].split("\t")
    assert mutant.endswith("x_nothing__mutmut_1") and test.endswith("test_spec_crashes_on_none")
    assert message.startswith("the spec itself failed"), message
