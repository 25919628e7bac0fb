"""What the learner tools share: finding a kata by number, running specs, a state folder,
one-line answers to a Ctrl-C, a bad argument, a missing kata or an unwritable state folder.

Learner state (hints shown, backups) lives in ``.learner/`` at the project root,
outside every kata folder and ignored by git.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from scripts.project import KATAS, ROOT, kata_module, run_specs
from specs import course
from specs.report import Behaviour
from specs.watchdog import STOPPED, STOPPED_CODE

STATE = ROOT / ".learner"


def kata_by_number(number: int | str) -> str:
    """``1`` (or ``kata01_gather``) -> ``kata01_gather``; SystemExit listing the course
    otherwise."""
    try:
        return course.kata(number).folder
    except LookupError as error:
        raise SystemExit(str(error)) from None


def module_file(kata: str, root: Path = KATAS) -> Path:
    """The file a learner edits in `kata` (under `root`)."""
    return root / kata / f"{kata_module(kata)}.py"


def shown(path: Path) -> str:
    """`path` as a learner reads it: from the project root when it is inside."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def missing(kata: str, impl: Path = KATAS) -> str | None:
    """Why `kata` cannot run (its folder, module or spec is gone), in one line naming the
    command that brings it back; None when it can."""
    folder, module = impl / kata, module_file(kata, impl)
    spec_folder = KATAS / kata
    gone = (folder if not folder.is_dir() else module if not module.is_file()
            else spec_folder if not spec_folder.is_dir()
            else None if any(spec_folder.glob("test_*.py")) else spec_folder / "test_*.py")
    if gone is None:
        return None
    return (f"missing: {shown(gone)} — `{course.tox('reset', course.kata(kata).number)}` "
            "brings it back")


def is_done(behaviours: list[Behaviour]) -> bool:
    """Every behaviour passes, and there is at least one (0 of 0 is not done)."""
    return bool(behaviours) and all(b.passed for b in behaviours)


def run_katas(katas: list[str], *, impl: Path = KATAS) -> dict[str, list[Behaviour]]:
    """Run the specs of `katas` (one pytest process; a missing kata is left out): kata -> its
    behaviours, in task order."""
    by_kata: dict[str, list[Behaviour]] = {}
    present = [KATAS / kata for kata in katas if missing(kata, impl) is None]
    if present:
        for outcome in run_specs(impl, present):
            by_kata.setdefault(outcome.kata, []).append(outcome)
    return by_kata


def chosen_kata(number: str | None, impl: Path = KATAS) -> str:
    """The kata asked for by number, or else the one the learner is on; SystemExit with one
    line when that kata is missing."""
    kata = kata_by_number(number) if number else kata_on(impl)[0]
    gone = missing(kata, impl)
    if gone is not None:
        raise SystemExit(f"{kata}: {gone}")
    return kata


def kata_on(impl: Path = KATAS) -> tuple[str, list[Behaviour]]:
    """The kata the learner is on, the first of the course not done (a missing one is not
    done; the last once every kata is), and its behaviours: one run of every spec."""
    folders = [kata.folder for kata in course.katas()]
    results = run_katas(folders, impl=impl)
    on = next((kata for kata in folders if not is_done(results.get(kata, []))), folders[-1])
    print(f"(no kata given: {on}, the kata you are on)", flush=True)
    return on, results.get(on, [])


def first_failing(behaviours: list[Behaviour]) -> Behaviour | None:
    return next((b for b in behaviours if not b.passed), None)


# --- Ctrl-C, arguments, files --------------------------------------------------------------


def stopped(detail: str = "") -> int:
    """After a Ctrl-C: one line (`STOPPED`, then `detail`), and the exit status 130."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C (tox forwards one) is moot
    print(f"\n{STOPPED}" + (f": {detail}" if detail else ""), flush=True)
    return STOPPED_CODE


def _interrupted(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the tool ends; only its clean-up is left
    raise KeyboardInterrupt


def interruptible(main: Callable[[], int | None]) -> int:
    """Run a tool's `main`: a Ctrl-C ends it with `stopped()` (a tool that catches
    KeyboardInterrupt says more), never a traceback."""
    signal.signal(signal.SIGINT, _interrupted)
    try:
        return int(main() or 0)
    except KeyboardInterrupt:
        return stopped()


class Parser(argparse.ArgumentParser):
    """argparse, with a bad argument answered in one line: what was wrong, and the usage."""

    def error(self, message: str) -> NoReturn:
        usage = " ".join(self.format_usage().split()).removeprefix("usage: ")
        self.exit(2, f"{self.prog}: {message} (usage: {usage})\n")


def existing_folder(value: str) -> Path:
    """An ``--impl`` tree: an existing folder, resolved."""
    path = Path(value).resolve()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a folder (your tree is katas; the reference is reference)")
    return path


def positive(value: str) -> float:
    """A number above 0 (minutes, seconds)."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, e.g. 5; got {value!r}")
    return number


def note(text: str) -> None:
    """A one-line note that does not stop the tool (on standard error)."""
    print(f"note: {text}", file=sys.stderr, flush=True)


def write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` whole or not at all (a Ctrl-C mid-way leaves the old file);
    the file keeps its permissions (a new one gets rw-r--r--)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(scratch, mode)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise


def load_state(path: Path) -> dict[str, Any]:
    """A JSON state file of `.learner/`; empty (with a note) when it is unreadable."""
    if not path.exists():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        note(f"{shown(path)} cannot be read ({why(error)}); starting afresh")
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_state(path: Path, state: dict[str, Any], lost: str) -> None:
    """Write a JSON state file of `.learner/`; a note saying what is `lost` when it cannot."""
    try:
        write_atomically(path, (json.dumps(state, indent=2) + "\n").encode())
    except OSError as error:
        note(f"{shown(path.parent)} cannot be written ({why(error)}): {lost}")


def why(error: OSError | ValueError) -> str:
    """An error's reason without its traceback: ``Not a directory``."""
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)
