"""Ctrl-C, as a terminal sends it (SIGINT to the whole process group), ends a kata run, watch,
dojo and demo with one line and the exit status 130: no traceback, no process left behind,
the learner's file untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts.learner import interruptible, module_file
from scripts.project import KATAS, ROOT, shipped_stubs
from specs.watchdog import STOPPED, STOPPED_CODE
from tests.test_hang_proof import edited

POLLS_FOREVER = edited("kata01_gather", "gather", (
    "    return [await job() for job in _checked(jobs)]",
    "    while True:  # wait for the jobs to be ready\n        await asyncio.sleep(1e-6)"))
WAITS_FOREVER = edited("kata01_gather", "gather", (
    "    return [await job() for job in _checked(jobs)]",
    "    await asyncio.Event().wait()  # wait for everything (forever)\n    return []"))


class Terminal:
    """A command in a process group of its own, its output read as it comes."""

    def __init__(self, command: list[str], log: Path) -> None:
        self.log = log
        with log.open("w") as sink:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=sink,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.log.read_text() and time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)
        assert text in self.log.read_text(), self.log.read_text()

    def ctrl_c(self) -> tuple[int, str]:
        """SIGINT to every process of the group, as a terminal's Ctrl-C; (status, output)."""
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=30)
        return code, self.log.read_text()

    def left_behind(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        os.killpg(self.process.pid, signal.SIGKILL)
        return True


Start = Callable[..., Terminal]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """``start("scripts", "watch", "1", ready="...")``: ``python -m`` those arguments in a
    terminal of their own, once its output shows `ready`; killed at the test's end."""
    started: list[Terminal] = []

    def run(*args: str, ready: str) -> Terminal:
        terminal = Terminal([sys.executable, "-m", *args], tmp_path / f"run{len(started)}.log")
        started.append(terminal)
        terminal.wait_for(ready)
        return terminal

    yield run
    for terminal in started:
        if terminal.process.poll() is None:
            terminal.process.kill()


def learner_tree(tmp_path: Path, source: str | None = None) -> tuple[Path, Path]:
    """Every stub as shipped; kata 1's module `source` when given. (tree, kata 1's module)"""
    tree = tmp_path / "katas"
    shipped_stubs(tree)
    mine = module_file("kata01_gather", tree)
    if source is not None:
        mine.write_text(source)
    return tree, mine


def assert_stopped(code: int, output: str, terminal: Terminal) -> None:
    assert code == STOPPED_CODE, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert output.rstrip().splitlines()[-1].startswith(STOPPED), output
    assert not terminal.left_behind(), "a process of the run was left behind"


def test_ctrl_c_during_a_kata_run(tmp_path: Path, start: Start) -> None:
    tree, mine = learner_tree(tmp_path, POLLS_FOREVER)
    terminal = start("pytest", str(KATAS / "kata01_gather"), "--impl", str(tree), "--learner",
                     "-p", "no:randomly", ready="test_gather.py ")  # the first spec polls
    code, output = terminal.ctrl_c()
    assert_stopped(code, output, terminal)
    assert "behaviours pass" not in output, output  # one line, no report
    assert mine.read_text() == POLLS_FOREVER


def test_ctrl_c_stops_watch(tmp_path: Path, start: Start) -> None:
    tree, mine = learner_tree(tmp_path)
    before = mine.read_bytes()
    terminal = start("scripts", "watch", "1", "--impl", str(tree), ready="behaviours pass")
    code, output = terminal.ctrl_c()
    assert_stopped(code, output, terminal)
    assert f"{STOPPED}: watched kata01_gather for" in output
    assert mine.read_bytes() == before


def test_ctrl_c_ends_a_dojo_with_its_summary(tmp_path: Path, start: Start) -> None:
    tree, _ = learner_tree(tmp_path)
    terminal = start("scripts", "dojo", "1", "--impl", str(tree), ready="[dojo] turn 1")
    code, output = terminal.ctrl_c()
    assert code == STOPPED_CODE and "Traceback" not in output, output
    assert f"{STOPPED}: the dojo session is over" in output and "Dojo session:" in output
    assert not terminal.left_behind()


def test_ctrl_c_stops_a_demo(tmp_path: Path, start: Start) -> None:
    tree, _ = learner_tree(tmp_path, WAITS_FOREVER)
    terminal = start("scripts", "demo", "1", "--impl", str(tree), ready="=== demo 1")
    code, output = terminal.ctrl_c()
    assert_stopped(code, output, terminal)


def test_a_tool_interrupted_says_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> int:
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    try:
        assert interruptible(interrupted) == STOPPED_CODE
    finally:
        signal.signal(signal.SIGINT, previous)
    assert capsys.readouterr().out.strip() == STOPPED
