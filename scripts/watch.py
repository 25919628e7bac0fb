"""Re-run a kata's spec each time a file in its folder is saved (Ctrl-C to stop).

The screen is cleared on each run and shows how many behaviours pass, the tasks (the
current one's behaviours, the others a line each) and the next one to work on, with its
message (or, once all pass, the next kata and its command).
`scripts.dojo` adds a rotation timer. Ctrl-C stops with one line and the exit status 130.

Each run is a fresh pytest session in a child process forked from this one, which
has pytest, the spec kit and its libraries imported already (`WarmRunner`): a run
costs what the specs cost, not a Python start-up. The learner's module is never
imported here, so each child loads it fresh. Where there is no fork (Windows),
each run is a new process.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.metadata
import os
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import watchfiles

from scripts.learner import (
    Parser,
    chosen_kata,
    existing_folder,
    first_failing,
    interruptible,
    is_done,
    run_katas,
    stopped,
)
from scripts.progress import bar, status
from scripts.project import KATAS, ROOT, pytest_args, read_report
from specs import course
from specs.checklist import checklist
from specs.report import Behaviour

CLEAR = "\033[2J\033[H"


def render(kata: str, behaviours: list[Behaviour], folder: Path) -> str:
    """The screen for one run: the count, a bar, the tasks (the current one's behaviours),
    the next behaviour and its message."""
    passed = sum(b.passed for b in behaviours)
    lines = [f"{kata}: watching {folder} (Ctrl-C to stop)", "",
             f"  {bar(passed, len(behaviours))}  {passed} of {len(behaviours)} behaviours pass",
             *(row.text for row in checklist(behaviours, unfold=None)[2:])]
    upcoming = first_failing(behaviours)
    if is_done(behaviours):
        lines += ["", f"  All green. {next_kata(kata)}"]
    elif upcoming is None:
        lines += ["", f"  {status(kata, behaviours)}"]
    else:
        lines += ["", f"Next: task {upcoming.task}, {upcoming.text}"]
        lines += [f"  {line}" for line in upcoming.message.splitlines()[:12]]
    return "\n".join(lines)


def next_kata(kata: str) -> str:
    """Where a learner whose `kata` is green goes next: the next kata and its command."""
    folders = [k.folder for k in course.katas()]
    if folders.index(kata) + 1 == len(folders):
        return f"That was the last kata of the course: well played! (`{course.tox('progress')}`)"
    following = course.katas()[folders.index(kata) + 1]
    return (f"On to the next kata, {following.folder}: `{course.tox('watch', following.number)}` "
            f"(or `{following.command}`)")


def changes(folder: Path, tick: float) -> Iterator[bool]:
    """Yields True when a .py file in `folder` was saved, False every `tick` seconds idle."""
    python_only = watchfiles.PythonFilter()
    for changed in watchfiles.watch(folder, watch_filter=python_only, debounce=200, step=20,
                                    rust_timeout=int(tick * 1000), yield_on_timeout=True,
                                    raise_interrupt=True):
        yield bool(changed)


class WarmRunner:
    """Runs a kata's spec in a child forked from a process that has imported the spec kit."""

    def __init__(self) -> None:
        self.forks = hasattr(os, "fork")
        if self.forks:  # what every run needs; the learner's module is not among them
            from _pytest.config import default_plugins
            for name in ("pytest", "specs.plugin", "specs.properties", "pdb",
                         *(f"_pytest.{plugin}" for plugin in default_plugins)):
                with contextlib.suppress(ImportError):
                    importlib.import_module(name)
            for plugin in importlib.metadata.entry_points(group="pytest11"):
                with contextlib.suppress(Exception):
                    plugin.load()
            with contextlib.suppress(ImportError), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "slow code in a plugin": this is no plugin
                from hypothesis.internal.conjecture.providers import _get_local_constants
                _get_local_constants()  # Hypothesis scans the loaded modules for constants
                # once here: each child scans only the modules it loads itself

    def run(self, kata: str, impl: Path) -> list[Behaviour]:
        if not self.forks:
            return run_katas([kata], impl=impl).get(kata, [])
        specs = [next((KATAS / kata).glob("test_*.py"))]
        with tempfile.TemporaryDirectory() as scratch:
            report = Path(scratch) / "results.json"
            child = os.fork()
            if child == 0:  # pragma: no cover (the child's exit ends it)
                code = 1
                try:
                    gc.freeze()  # the collections at pytest's exit skip what the parent made
                    quiet = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(quiet, 1)
                    os.dup2(quiet, 2)
                    os.chdir(ROOT)
                    import pytest
                    code = int(pytest.main(pytest_args(impl, specs, report)))
                finally:
                    os._exit(code)
            try:
                os.waitpid(child, 0)
            except BaseException:  # a Ctrl-C: the run is not waited for, nor left behind
                with contextlib.suppress(OSError):
                    os.kill(child, signal.SIGKILL)
                    os.waitpid(child, 0)
                raise
            return read_report(report, specs)


def watch(kata: str, root: Path, *, tick: float = 1.0,
          on_run: Callable[[list[Behaviour]], None] = lambda behaviours: None,
          on_tick: Callable[[], None] = lambda: None) -> None:
    """Run `kata`'s spec now and after every save, until Ctrl-C."""
    folder = root / kata
    runner = WarmRunner()

    def run() -> None:
        behaviours = runner.run(kata, root)
        print(CLEAR + render(kata, behaviours, folder), flush=True)
        on_run(behaviours)

    run()
    for saved in changes(folder, tick):
        if saved:
            run()
        on_tick()


def arguments(description: str) -> Parser:
    parser = Parser(description=description)
    parser.add_argument("kata", nargs="?", help="the kata's number (default: the one you are on)")
    parser.add_argument("--impl", type=existing_folder, default=KATAS,
                        help="the learner's tree (katas/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = arguments(__doc__.splitlines()[0]).parse_args(argv)
    kata = chosen_kata(options.kata, options.impl)
    start = time.monotonic()
    try:
        watch(kata, options.impl)
    except KeyboardInterrupt:
        return stopped(f"watched {kata} for {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(interruptible(main))
