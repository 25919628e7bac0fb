"""The learner tools, driven as a learner would: on a scratch copy of katas/, never katas/."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.check_impostors import modules, source
from scripts.learner import module_file
from scripts.project import KATAS, REFERENCE, ROOT, shipped, shipped_stubs
from specs import course
from tests.conftest import behaviours_of, run_module


def python(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]




@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A learner's tree: every stub as shipped (committed, whatever katas/ holds now)."""
    root = tmp_path / "katas"
    shipped_stubs(root)
    return root


def solve(tree: Path, kata: str) -> None:
    shutil.copy(module_file(kata, REFERENCE), module_file(kata, tree))


def wait_for(log: Path, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        content = log.read_text() if log.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; output so far:\n{content[-3000:]}")


@pytest.fixture
def background(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()


def test_json_report(tmp_path: Path) -> None:
    report = tmp_path / "results.json"
    run_module("pytest", str(KATAS / "kata01_gather"), "--impl", str(REFERENCE),
               "--json", str(report))
    kata = json.loads(report.read_text())["katas"]["kata01_gather"]
    assert (kata["passed"], kata["total"]) == (behaviours_of("kata01_gather"),) * 2
    first = kata["behaviours"][0]
    assert first["task"] == 1 and first["status"] == "passed" and first["text"]
    assert {"test", "task_title", "message"} <= first.keys()
    exercism = json.loads(report.read_text())  # Exercism's test-runner interface, version 3
    assert (exercism["version"], exercism["status"], exercism["message"]) == (3, "pass", None)
    test = exercism["tests"][0]
    assert test.keys() == {"name", "status", "message", "output", "test_code", "task_id"}
    assert test["status"] == "pass" and test["task_id"] == 1 and test["name"].startswith("task 1")
    assert "def test_" in test["test_code"] and test["message"] is None


def test_progress(tree: Path) -> None:
    solve(tree, "kata01_gather")
    impostor = next(path for path in modules(ROOT / "impostors" / "kata03_retry")
                    if path.stem == "off_by_one_backoff")  # a patch or a module
    module_file("kata03_retry", tree).write_text(source(impostor))
    start = time.perf_counter()
    out = run_module("scripts.progress", "--impl", str(tree)).stdout
    assert time.perf_counter() - start < 15
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("kata")}
    assert lines["kata01_gather"].endswith("done")
    assert lines["kata02_http"].endswith(f"not started: {len(course.kata(2).tasks)} tasks")
    total = behaviours_of("kata03_retry")
    assert "behaviours" in lines["kata03_retry"] and f" of {total} " in lines["kata03_retry"]
    assert re.search(rf"behaviours, on task \d of {len(course.kata(3).tasks)}$",
                     lines["kata03_retry"]), lines["kata03_retry"]
    assert "Next: kata02_http, task 1" in out and "./tox -e kata2" in out


def test_a_module_that_does_not_import_is_named_not_hinted(tree: Path, tmp_path: Path) -> None:
    mine = module_file("kata02_http", tree)
    mine.write_text(mine.read_text() + "\nbroken = undefined_name\n")
    out = run_module("scripts.progress", "--impl", str(tree)).stdout
    line = next(line for line in out.splitlines() if line.startswith("kata02_http"))
    assert "does not import: NameError" in line and "`broken = undefined_name`" in line, line
    state = tmp_path / "state"
    hinted = run_module("scripts.hint", "2", "--impl", str(tree), "--state", str(state))
    assert hinted.returncode == 1 and "Mend that first" in hinted.stdout, hinted.stdout
    assert not (state / "hints.json").exists()  # no hint spent


def test_hints_one_at_a_time(tree: Path, tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    first = run_module("scripts.hint", "1", "--impl", str(tree), "--state", state).stdout
    second = run_module("scripts.hint", "1", "--impl", str(tree), "--state", state).stdout
    assert first.startswith("Hint 1 of") and "task 1" in first
    assert second.startswith("Hint 2 of") and first.splitlines()[1] != second.splitlines()[1]
    everything = run_module("scripts.hint", "1", "--all").stdout
    assert "Task 1:" in everything and "Task 5:" in everything
    solve(tree, "kata01_gather")
    done = run_module("scripts.hint", "1", "--impl", str(tree), "--state", state).stdout
    assert "Every behaviour of kata01_gather passes" in done


def test_reset_keeps_a_backup(tree: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    mine = module_file("kata01_gather", tree)
    work = "# my work in progress\n" + mine.read_text()
    mine.write_text(work)
    out = run_module("scripts.reset", "1", "--impl", str(tree), "--state", str(state)).stdout
    backups = list((state / "backups" / "kata01_gather").glob("gather-*.py"))
    assert len(backups) == 1 and backups[0].read_text() == work, out
    assert str(backups[0]) in out
    assert mine.read_bytes() == shipped(module_file("kata01_gather"))  # as shipped
    again = run_module("scripts.reset", "1", "--impl", str(tree), "--state", str(state)).stdout
    assert "already as shipped" in again and len(list(backups[0].parent.iterdir())) == 1


def test_reset_restores_a_deleted_stub_and_brings_a_backup_back(tree: Path, tmp_path: Path) -> None:
    state, mine = tmp_path / "state", module_file("kata01_gather", tree)
    work = "# my work in progress\n" + mine.read_text()
    mine.write_text(work)
    (mine.parent / "scratch.py").write_text("# a learner's own notes\n")  # left alone
    run_module("scripts.reset", "1", "--impl", str(tree), "--state", str(state))
    mine.unlink()
    out = run_module("scripts.reset", "1", "--impl", str(tree), "--state", str(state)).stdout
    assert mine.read_bytes() == shipped(module_file("kata01_gather")), out
    back = run_module("scripts.reset", "1", "--restore", "--impl", str(tree), "--state",
                      str(state))
    assert back.returncode == 0 and mine.read_text() == work, back.stdout + back.stderr
    assert "backups of your work, newest first" in back.stdout
    assert (mine.parent / "scratch.py").exists()


def test_watch_reruns_on_save(tree: Path, tmp_path: Path, background: list) -> None:
    log = tmp_path / "watch.log"
    with log.open("w") as sink:
        background.append(subprocess.Popen(python("scripts.watch", "1", "--impl", str(tree)),
                                           cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT))
    wait_for(log, f"0 of {behaviours_of('kata01_gather')} behaviours pass")
    time.sleep(0.5)
    solve(tree, "kata01_gather")
    wait_for(log, "{0} of {0} behaviours pass".format(behaviours_of("kata01_gather")))
    background[0].send_signal(signal.SIGINT)
    assert background[0].wait(timeout=10) == 130
    assert "stopped (Ctrl-C): watched kata01_gather for" in log.read_text()


def test_dojo_rotates_and_sums_up(tree: Path, tmp_path: Path, background: list) -> None:
    log = tmp_path / "dojo.log"
    with log.open("w") as sink:
        background.append(subprocess.Popen(
            python("scripts.dojo", "1", "--impl", str(tree), "--minutes", "0.02"),
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT))
    wait_for(log, f"0 of {behaviours_of('kata01_gather')} behaviours pass")
    wait_for(log, "Turn 1 is over")
    wait_for(log, "[dojo] turn 2, ")  # the countdown moves on its own, with no save
    solve(tree, "kata01_gather")
    wait_for(log, "{0} of {0} behaviours pass".format(behaviours_of("kata01_gather")))
    background[0].send_signal(signal.SIGINT)
    assert background[0].wait(timeout=10) == 130
    out = log.read_text()
    assert "Dojo session:" in out
    assert f"{behaviours_of('kata01_gather')} behaviour(s) turned green" in out
    assert "turn 2 at" in out or "turn 3 at" in out


def test_demos_run_end_to_end_against_the_reference() -> None:
    start = time.perf_counter()
    done = run_module("scripts.demo", "all", "--impl", "reference")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert all(f"=== demo {k.number}: {k.folder}" in done.stdout for k in course.katas())
    assert "speed-up x5.0" in done.stdout and "no deadlock" in done.stdout
    assert time.perf_counter() - start < 60


def test_a_demo_of_an_unfinished_kata_is_friendly(tree: Path) -> None:
    done = run_module("scripts.demo", "1", "--impl", str(tree))
    assert done.returncode == 2
    assert "Not yet" in done.stdout and "Traceback" not in done.stdout + done.stderr
