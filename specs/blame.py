"""Whose fault a failure is: a check of the contract, the learner's code, or the spec itself.

A verdict must be true about the learner's code. A failing behaviour is one of:

- ``check``: an assertion or a probe of the kit found the code breaking the contract;
- ``code``: the learner's code raised (its own line is named);
- ``module``: the module is missing, does not import, or lacks a name the stub gave;
- ``stub``: the function still raises the stub's NotImplementedError;
- ``spec``: the spec's own code crashed (a TypeError on a value it did not expect, say):
  a bug in the kata, never the learner's fault, and never a catch of an impostor.

Implementation note: a crash of the spec is told from the learner's error by the traceback.
When it passes through the learner's code, the error is the learner's (the kit's task
factory, mocked HTTP or a spec's callback ran on the learner's call, with its values). When
it does not, the deepest frame of the spec's files decides (the standard library and other
packages are passed over, so that ``round(None)`` called by the spec is the spec's); it counts
only when its line is not a ``raise`` statement (a job the spec scripted to fail raises on
purpose).
"""

from __future__ import annotations

import linecache
import os
from types import TracebackType

import pytest

from specs.implementation import ImplementationError, NotReady, is_learner_file, is_spec_file
from specs.messages import exception_line, frames_of, place
from specs.watchdog import Hung

CRASHES = (TypeError, AttributeError, KeyError, IndexError, NameError, ZeroDivisionError,
           ValueError, UnboundLocalError)  # what Python raises for a bug in the spec's code
SPEC_BUG = "the spec itself failed (a bug in the kata, please report it)"

CHECK, CODE, MODULE, STUB, SPEC = "check", "code", "module", "stub", "spec"
CRASH_LOG = "KATAS_SPEC_CRASHES"  # a file every crash of the spec is added to, when set


def spec_crash(error: BaseException) -> TracebackType | None:
    """The spec's frame where `error` was a crash of the spec's own code, or None."""
    if not isinstance(error, CRASHES):
        return None
    frames = frames_of(error)
    if any(is_learner_file(frame.tb_frame.f_code.co_filename) for frame in frames):
        return None  # the spec's code ran on the learner's call, with the learner's values
    for frame in reversed(frames):
        filename = frame.tb_frame.f_code.co_filename
        if is_spec_file(filename):
            line = linecache.getline(filename, frame.tb_lineno).strip()
            return None if line.startswith("raise") else frame
    return None


def cause(error: BaseException) -> str:
    """Which of `CHECK`, `CODE`, `MODULE`, `STUB`, `SPEC` a failure with `error` is."""
    if isinstance(error, NotReady):
        error = error.error
    if isinstance(error, NotImplementedError):
        return STUB
    if isinstance(error, ImplementationError):
        return MODULE
    if isinstance(error, AssertionError | pytest.fail.Exception | Hung):
        return CHECK
    if isinstance(error, BaseExceptionGroup):
        return cause(error.exceptions[0]) if error.exceptions else CODE
    return SPEC if spec_crash(error) is not None else CODE


def crash_report(error: BaseException) -> str:
    """The message for a crash of the spec's own code: what crashed and where, and that the
    learner is not to blame for it."""
    frame = spec_crash(error)
    where = f", in {place(frame.tb_frame, source=True, lineno=frame.tb_lineno)}" if frame else ""
    return (f"{SPEC_BUG}: {exception_line(error)}{where}. Your code is not to blame for this "
            "line (though what it did may still break the contract)")


def record_crash(test: str, message: str) -> None:
    """Add a crash of the spec to the file `CRASH_LOG` names (if set), one line each:
    the mutant under test (mutmut's ``MUTANT_UNDER_TEST``), the test, the message's first
    line. The mutation check reads it: a mutant must be killed by a true verdict."""
    log = os.environ.get(CRASH_LOG)
    if not log:
        return
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    line = "\t".join([mutant, test, (message.splitlines() or [""])[0][:300]]) + "\n"
    with open(log, "a", encoding="utf-8") as out:  # one write of one line: forks share it
        out.write(line)
