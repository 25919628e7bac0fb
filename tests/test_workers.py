"""``--workers N``: spec files shared between forked processes, reported as one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scripts.project import ROOT, pytest_args, run_specs
from specs.report import Behaviour

MODULE = """
    async def double(number):
        return 2 * number
"""

SPEC = """
    import os

    from hypothesis import given, strategies as st

    from specs.implementation import implementation

    probe = implementation("kata99_probe", "probe")

    def test_runs_in_{name}_process():
        with open({pids!r}, "a") as pids:
            print("{name}", os.getpid(), file=pids)

    async def test_{name}_doubles():
        assert await probe.double(2) == 4

    async def test_{name}_breaks():
        print("{name} printed this")
        assert await probe.double(2) == 5, "{name}: double(2) returned 4, expected 5"

    @given(st.integers())
    def test_{name}_property(number):
        assert number == number
"""

NAMES = ("first", "second", "third")


def spec_tree(tmp_path: Path, module: str = MODULE, spec: str = SPEC) -> tuple[Path, list[Path]]:
    tree = tmp_path / "impl"
    (tree / "kata99_probe").mkdir(parents=True)
    (tree / "kata99_probe" / "probe.py").write_text(textwrap.dedent(module))
    specs = []
    for name in NAMES:
        spec_file = tmp_path / "spec" / f"test_{name}.py"
        spec_file.parent.mkdir(exist_ok=True)
        spec_file.write_text(textwrap.dedent(spec).replace("{name}", name).replace(
            "{pids!r}", repr(str(tmp_path / "pids.txt"))))
        specs.append(spec_file)
    return tree, specs


def run_pytest(tmp_path: Path, tree: Path, specs: list[Path], *options: str
           ) -> subprocess.CompletedProcess[str]:
    """The specs run with the project's settings; the JSON report goes to ``r.json``."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args(tree, specs, tmp_path / "r.json"),
         *options], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)


def outcomes(behaviours: list[Behaviour]) -> dict[str, tuple[str, str, str]]:
    return {b.test.split("::")[-1]: (b.status, b.message, b.output) for b in behaviours}


def test_workers_report_what_one_process_reports(tmp_path: Path) -> None:
    tree, specs = spec_tree(tmp_path)
    alone = outcomes(run_specs(tree, specs))
    pids = tmp_path / "pids.txt"
    pids.unlink()
    shared = outcomes(run_specs(tree, specs, "--workers", "2"))
    assert shared == alone
    assert len(alone) == 4 * len(NAMES)
    assert alone["test_second_breaks"][0] == "failed"
    assert "second: double(2) returned 4, expected 5" in alone["test_second_breaks"][1]
    assert "second printed this" in alone["test_second_breaks"][2]
    ran_in = {line.split()[1] for line in pids.read_text().splitlines()}
    assert len(ran_in) == 2, f"the spec files ran in {len(ran_in)} process(es), not 2"


def test_workers_keep_the_exit_status_and_the_learner_checklist(tmp_path: Path) -> None:
    tree, specs = spec_tree(tmp_path)
    run = run_pytest(tmp_path, tree, specs, "--learner", "--workers", "3")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "9 of 12 behaviours pass." in run.stdout, run.stdout
    assert "Next: task" in run.stdout and "returned 4, expected 5" in run.stdout, run.stdout


def test_one_process_where_workers_cannot_help(tmp_path: Path) -> None:
    """-x stops at the first failure of the run, which workers could not honour."""
    tree, specs = spec_tree(tmp_path)
    run = run_pytest(tmp_path, tree, specs, "-x", "--workers", "2")
    assert run.returncode == 1 and "stopping after 1 failures" in run.stdout, run.stdout
    pids = {line.split()[1] for line in (tmp_path / "pids.txt").read_text().splitlines()}
    assert len(pids) == 1


@pytest.mark.unwatched
def test_a_worker_ended_by_its_watchdog_is_reported(tmp_path: Path) -> None:
    """Code that refuses every interrupt ends its worker; the run reports the cause and
    stops, as it does in one process."""
    stuck = MODULE + """
    import threading

    async def stuck():
        while True:
            try:
                threading.Event().wait()
            except BaseException:
                pass
    """
    spec = SPEC + f"""
    async def test_{{name}}_gets_stuck():
        if os.getppid() != {os.getpid()}:  # in a worker: the parent's parent is this test
            await probe.stuck()
    """
    tree, specs = spec_tree(tmp_path, stuck, spec)
    run = run_pytest(tmp_path, tree, specs, "--workers", "3")
    assert run.returncode != 0
    tests = {t["name"]: t for t in json.loads((tmp_path / "r.json").read_text())["tests"]}
    stuck = [t for name, t in tests.items() if "gets stuck" in name and t["status"] == "fail"]
    assert stuck and "threading.Event" in stuck[0]["message"], tests


def test_a_worker_that_dies_fails_the_run(tmp_path: Path) -> None:
    """A worker killed outright reports nothing more: the run must not pass without it."""
    spec = SPEC + f"""
    import signal

    def test_{{name}}_dies():
        if os.getppid() != {os.getpid()}:  # in a worker: the parent's parent is this test
            os.kill(os.getpid(), signal.SIGKILL)
    """
    tree, specs = spec_tree(tmp_path, MODULE, spec)
    run = run_pytest(tmp_path, tree, specs, "--workers", "2")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "a worker process ended (exit status -9) before it reported all its specs" in (
        run.stdout), run.stdout


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_number_of_workers_is_refused_at_start(tmp_path: Path, value: str) -> None:
    tree, specs = spec_tree(tmp_path)
    run = run_pytest(tmp_path, tree, specs, "--workers", value)
    assert run.returncode == 4, run.stdout + run.stderr
    assert f"expected a number of processes from 1 up, or 'auto'; got '{value}'" in run.stderr
