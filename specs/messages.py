"""Phrasing shared by every spec's failure messages."""

from __future__ import annotations

import asyncio
import inspect
import linecache
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Any


def now() -> float:
    """The running loop's clock: the time every spec asserts on."""
    return asyncio.get_running_loop().time()


def secs(seconds: float) -> str:
    """``1.5 s``: a duration as the specs print it."""
    return f"{seconds:.1f} s" if abs(seconds - round(seconds, 1)) < 5e-4 else f"{seconds:.3f} s"


def listing(items: Iterable[Any]) -> str:
    """``a, b and c``."""
    words = [str(item) for item in items]
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else "none"


def show(value: Any) -> str:
    """A value as a learner should read it: coroutine objects are called out."""
    if inspect.iscoroutine(value):
        return (f"<coroutine {value.__qualname__}(), created but never awaited: "
                f"did you forget `await`?>")
    if isinstance(value, list | tuple) and any(inspect.iscoroutine(v) for v in value):
        inner = ", ".join(show(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(value)


def place(frame: FrameType, *, source: bool = False, lineno: int | None = None) -> str:
    """``acquire() at kata07_ratelimit/limiter.py:37``: where a frame is, as a learner reads it
    (at `lineno` when given: a traceback's line); with `source`, the line itself follows in
    backquotes."""
    path = Path(frame.f_code.co_filename)
    name = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
    number = frame.f_lineno if lineno is None else lineno
    line = linecache.getline(str(path), number).strip() if source else ""
    return f"{name}() at {path.parent.name}/{path.name}:{number}" + (
        f" (`{line}`)" if line else "")
