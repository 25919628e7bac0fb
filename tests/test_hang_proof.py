"""The fault suite: learner code that hangs, spins or blocks; every kata run still ends fast.

Each case is code a learner could write (a whole module in ``tests/learner_faults/``, or
the reference with a few lines changed as a learner would), run as ``tox -e kataN`` runs
it (``pytest katas/<kata> --learner``) in its own process group. Each must end within
`RUN_LIMIT_S` of wall time, name its cause, and leave no process behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.project import KATAS, REFERENCE, ROOT
from tests.conftest import behaviours_of

RUN_LIMIT_S = 10.0
FAULTS = Path(__file__).parent / "learner_faults"


@dataclass(frozen=True)
class Fault:
    kata: str
    module: str
    source: str  # the learner's module
    cause: str  # words every hang in the run names
    behaviours: int = 1  # at least this many behaviours fail with the cause


def edited(kata: str, module: str, *changes: tuple[str, str]) -> str:
    """The reference module with `changes` (old, new) made, each exactly where it was."""
    source = (REFERENCE / kata / f"{module}.py").read_text()
    for old, new in changes:
        assert old in source, f"the reference {kata}/{module}.py no longer holds {old!r}"
        source = source.replace(old, new)
    return source


THREADING_LOCK = Fault(
    "kata08_sync", "sync",
    edited("kata08_sync", "sync",
           ("import asyncio\n", "import asyncio\nimport threading\n"),
           ("self.lock = asyncio.Lock()", "self.lock = threading.Lock()  # I know locks"),
           ("async with self.lock:", "with self.lock:"),
           ("async with first.lock, second.lock:", "with first.lock, second.lock:")),
    "asyncio code must use asyncio.Lock; a threading.Lock blocks the event loop's only thread",
    behaviours=3)

SLEEP0_RECHECK = Fault(
    "kata07_ratelimit", "limiter", (FAULTS / "sleep0_recheck.py").read_text(),
    "your code keeps waking at the same instant", behaviours=5)

BUSY_WAIT = Fault(
    "kata01_gather", "gather",
    edited("kata01_gather", "gather", (
        """    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(job())) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
""", """    tasks = [asyncio.ensure_future(job()) for job in checked]
    while not all(task.done() for task in tasks):  # wait until they are all done
        pass
""")),
    "the event loop never got control back", behaviours=5)

BLOCKING_SELECT = Fault(
    "kata03_retry", "retry",
    edited("kata03_retry", "retry",
           ("import asyncio\n", "import asyncio\nimport select\n"),
           ("await asyncio.sleep(delay)", "select.select([], [], [], delay)  # a portable sleep")),
    "waits outside asyncio (a call to select())", behaviours=3)

AT_IMPORT = Fault(
    "kata01_gather", "gather",
    (REFERENCE / "kata01_gather" / "gather.py").read_text()
    + "\n\nwhile True:  # try it out\n    pass\n",
    "importing your module did not finish", behaviours=10)

MICRO_POLL = Fault(
    "kata07_ratelimit", "limiter",
    (FAULTS / "sleep0_recheck.py").read_text()
    .replace("if now - self.times[0] < self.per:", "if False:  # always poll")
    .replace("await asyncio.sleep(0)\n", "await asyncio.sleep(1e-6)  # poll, politely\n"),
    "your code wakes up far too often", behaviours=2)


def run_kata(tmp_path: Path, fault: Fault, *options: str) -> tuple[float, str, dict]:
    """Run the kata's spec on the learner's module as `tox -e kataN` would: wall time,
    output, JSON report. Fails if any process of the run's group is left behind."""
    tree = tmp_path / "tree"
    (tree / fault.kata).mkdir(parents=True)
    (tree / fault.kata / f"{fault.module}.py").write_text(fault.source)
    report = tmp_path / "report.json"
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", str(KATAS / fault.kata), "--impl", str(tree),
         "--learner", "-p", "no:randomly", "--json", str(report), *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        left = _group_alive(process.pid)
        if left:
            os.killpg(process.pid, signal.SIGKILL)
    wall = time.perf_counter() - start
    assert not left, "the run left a process behind"
    results = json.loads(report.read_text()) if report.exists() else {}
    return wall, output, results


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def behaviours(results: dict) -> list[dict]:
    return [b for kata in results.get("katas", {}).values() for b in kata["behaviours"]]


@pytest.mark.parametrize(
    "fault", [THREADING_LOCK, SLEEP0_RECHECK, BUSY_WAIT, BLOCKING_SELECT, AT_IMPORT, MICRO_POLL],
    ids=["threading_lock", "sleep0_recheck", "busy_wait", "blocking_select", "at_import",
         "micro_poll"])
def test_a_hanging_kata_run_ends_fast_and_names_its_cause(tmp_path: Path, fault: Fault) -> None:
    wall, output, results = run_kata(tmp_path, fault)
    assert wall <= RUN_LIMIT_S, f"the run took {wall:.1f} s of wall time:\n{output}"
    named = [b for b in behaviours(results) if fault.cause in b["message"]]
    assert len(named) >= fault.behaviours, output
    assert fault.cause in output  # the "Next:" message a learner reads
    assert "behaviours pass" in output and "Traceback" not in output, output
    # One slow hang at most: the ones after it are cut short, by cause.
    slow = [b for b in named if b["seconds"] > 1.5]
    assert len(slow) <= 1, [(b["text"], round(b["seconds"], 2)) for b in slow]


def test_a_limiter_that_needs_the_clock_to_move_by_a_rounding_error(tmp_path: Path) -> None:
    """aiolimiter reschedules its wake-up at the current instant when float arithmetic leaves
    1e-16 of level; the clock moves by its smallest step, so it is judged on its behaviour."""
    fault = Fault("kata07_ratelimit", "limiter",
                  (FAULTS / "aiolimiter_bucket.py").read_text(), "")
    wall, output, results = run_kata(tmp_path, fault)
    assert wall <= RUN_LIMIT_S, output
    messages = [b["message"] for b in behaviours(results)]
    assert len(messages) == behaviours_of("kata07_ratelimit"), output
    assert sum(not m for m in messages) >= 10, output
    for words in ("same instant", "never got control back", "blocked", "still running after"):
        assert not any(words in m for m in messages), (words, output)


@pytest.mark.parametrize("exit_call", ["SystemExit", "KeyboardInterrupt"])
def test_learner_exits_are_the_learners_exceptions(tmp_path: Path, exit_call: str) -> None:
    """KeyboardInterrupt/SystemExit raised in a task by learner code escape the event loop
    (asyncio re-raises them); they fail those behaviours with their name, and the run goes on."""
    fault = Fault("kata01_gather", "gather", edited(
        "kata01_gather", "gather",
        ("async def run_concurrently(",
         "async def _or_stop(job):\n    try:\n        return await job()\n"
         f"    except Exception as error:\n        raise {exit_call}(error)  # stop everything\n"
         "\n\nasync def run_concurrently("),
        ("group.create_task(_awaited(job()))", "group.create_task(_or_stop(job))")), "")
    _, output, results = run_kata(tmp_path, fault)
    failed = [b for b in behaviours(results) if b["status"] == "failed"]
    assert failed and all(exit_call in b["message"] for b in failed), output
    assert any("ends the whole program" in b["message"] for b in failed), output
    assert len(behaviours(results)) == behaviours_of("kata01_gather"), output
    assert "Interrupted" not in output, output
    assert all(b["status"] != "not run" for b in behaviours(results)), output


def test_a_task_error_nobody_retrieved_is_reported_inside_its_behaviour(tmp_path: Path) -> None:
    """Fire-and-forget tasks whose error is never retrieved: named in the behaviour, never a
    raw "Task exception was never retrieved" traceback after the summary (here with -k)."""
    fault = Fault("kata01_gather", "gather", edited(
        "kata01_gather", "gather",
        ("    return [await job() for job in _checked(jobs)]",
         "    checked = _checked(jobs)\n"
         "    for job in checked:  # start them all early, in the background\n"
         "        asyncio.ensure_future(job())\n"
         "    return [await job() for job in checked]")), "nobody awaited it")
    _, output, results = run_kata(tmp_path, fault, "-k", "sequential")
    named = [b for b in behaviours(results) if fault.cause in b["message"]]
    assert named, output
    assert "Task exception was never retrieved" not in output, output


def test_json_to_a_missing_folder_fails_at_start(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "pytest", str(KATAS / "kata01_gather"), "--impl", "reference",
         "--learner", "--json", str(tmp_path / "missing" / "r.json")],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert process.returncode == 4, process.stdout + process.stderr
    assert "the folder" in process.stderr and "does not exist" in process.stderr
    assert "Traceback" not in process.stderr and "behaviours pass" not in process.stdout


def test_a_frozen_demo_is_stopped_with_its_cause(tmp_path: Path) -> None:
    tree = tmp_path / "tree" / "kata01_gather"
    tree.mkdir(parents=True)
    (tree / "gather.py").write_text(BUSY_WAIT.source)
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "scripts.demo", "1", "--impl", str(tree.parent)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert time.perf_counter() - start <= RUN_LIMIT_S
    assert process.returncode == 2 and BUSY_WAIT.cause in process.stdout, process.stdout
    assert "Traceback" not in process.stdout + process.stderr, process.stderr


def test_a_stuck_demo_ends_at_its_time_limit(tmp_path: Path) -> None:
    tree = tmp_path / "tree" / "kata01_gather"
    tree.mkdir(parents=True)
    (tree / "gather.py").write_text(edited(
        "kata01_gather", "gather",
        ("    return [await job() for job in _checked(jobs)]",
         "    await asyncio.Event().wait()  # wait for everything (forever)\n    return []")))
    process = subprocess.run(
        [sys.executable, "-m", "scripts.demo", "1", "--impl", str(tree.parent), "--limit", "1"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert process.returncode == 2 and "did not finish in 1 s" in process.stdout, process.stdout
    assert "Traceback" not in process.stdout + process.stderr, process.stderr


def test_code_that_refuses_every_interrupt_ends_the_run_with_its_report(tmp_path: Path) -> None:
    """The last net: a blocking call in a loop that catches everything cannot be ended by
    any signal; the run is ended after a few refusals, with the cause and the report."""
    fault = Fault("kata01_gather", "gather", edited(
        "kata01_gather", "gather",
        ("    return [await job() for job in _checked(jobs)]",
         "    import threading\n    while True:  # wait, whatever happens\n        try:\n"
         "            threading.Event().wait()\n        except BaseException:\n"
         "            pass")), "a threading.Event blocks the event loop's only thread")
    wall, output, results = run_kata(tmp_path, fault)
    assert wall <= RUN_LIMIT_S and "the whole run had to be ended" in output, output
    assert fault.cause in output and "0 of " in output, output
    assert any(fault.cause in b["message"] for b in behaviours(results)), results
