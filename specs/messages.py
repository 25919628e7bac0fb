"""Phrasing shared by every spec's failure messages."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import inspect
import linecache
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any


def now() -> float:
    """The running loop's clock: the time every spec asserts on."""
    return asyncio.get_running_loop().time()


def secs(seconds: float | None) -> str:
    """``1.5 s``: a duration as the specs print it; what is not a number (None, where code
    under test gave no time) is shown as it is, never a crash of the message."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return show(seconds)
    return f"{seconds:.1f} s" if abs(seconds - round(seconds, 1)) < 5e-4 else f"{seconds:.3f} s"


def listing(items: Iterable[Any]) -> str:
    """``a, b and c``."""
    words = [str(item) for item in items]
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else "none"


def were(items: Iterable[Any]) -> str:
    """``job1 was`` or ``job0 and job1 were``: a listing with its verb."""
    words = list(items)
    return f"{listing(words)} {'was' if len(words) == 1 else 'were'}"


def show(value: Any) -> str:
    """A value as a learner should read it: coroutine objects are called out."""
    if inspect.iscoroutine(value):
        return (f"<coroutine {value.__qualname__}(), created but never awaited: "
                f"did you forget `await`?>")
    if isinstance(value, list | tuple) and any(inspect.iscoroutine(v) for v in value):
        inner = ", ".join(show(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(value)


def shown_path(path: str | Path) -> str:
    """`path` as a learner can open it: relative to the folder the run started in (where tox
    runs: ``katas/kata01_gather/gather.py``, clickable in editors and terminals), or whole
    when it lies outside that folder."""
    file = Path(path).resolve()
    try:
        return file.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(file)


def place(frame: FrameType, *, source: bool = False, lineno: int | None = None) -> str:
    """``acquire() at katas/kata07_ratelimit/limiter.py:37``: where a frame is, as a learner
    reads it (at `lineno` when given: a traceback's line); with `source`, the line itself
    follows in backquotes."""
    path = frame.f_code.co_filename
    name = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
    number = frame.f_lineno if lineno is None else lineno
    line = linecache.getline(path, number).strip() if source else ""
    return f"{name}() at {shown_path(path)}:{number}" + (f" (`{line}`)" if line else "")


def callers(frame: FrameType | None) -> Iterator[FrameType]:
    """`frame` and the frames that called it, innermost first."""
    while frame is not None:
        yield frame
        frame = frame.f_back


def frames_of(error: BaseException) -> list[TracebackType]:
    """The traceback entries of `error`, outermost first."""
    frames, frame = [], error.__traceback__
    while frame is not None:
        frames.append(frame)
        frame = frame.tb_next
    return frames


def exception_line(error: BaseException) -> str:
    """``NameError: name 'asyncio_gather' is not defined. Did you mean: 'asyncio'?``: the
    error as Python prints its last line, its "Did you mean" hint included."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    hint = _suggestion(error)
    return f"{text}. Did you mean: {hint!r}?" if hint and "Did you mean" not in text else text


def _suggestion(error: BaseException) -> str | None:
    """Python's own hint for a NameError or AttributeError (which it prints, but leaves out
    of the error's text); a close name by difflib where this Python cannot say."""
    name = getattr(error, "name", None)
    if not isinstance(name, str) or not isinstance(error, NameError | AttributeError):
        return None
    frames = frames_of(error)
    compute = getattr(traceback, "_compute_suggestion_error", None)  # Python 3.12+
    if compute is not None:
        with contextlib.suppress(Exception):
            found = compute(error, frames[-1] if frames else None, name)
            return found if isinstance(found, str) else None
        return None
    if isinstance(error, AttributeError):
        candidates = dir(error.obj) if hasattr(error, "obj") else []
    elif frames:
        frame = frames[-1].tb_frame
        candidates = [*frame.f_locals, *frame.f_globals, *frame.f_builtins]
    else:
        return None
    close = difflib.get_close_matches(name, [c for c in candidates if c != name], n=1,
                                      cutoff=0.75)
    return close[0] if close else None
