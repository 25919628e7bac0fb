"""Assertions the specs share."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable
from typing import Any

from specs import timeline
from specs.implementation import is_learner_file
from specs.messages import frames_of, place, show


def names(message: str, word: str) -> bool:
    """`message` holds `word` on its own, not inside a longer name (``jitter``, not ``xjitter``)."""
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", message) is not None


def shows(message: str, bad: object) -> bool:
    """`message` shows the bad value: its repr, or its str when that says something."""
    return any(names(message, form) for form in {repr(bad), str(bad)} if form.strip())


async def rejects(error: type[BaseException], call: Callable[[], Any], *, shown: str,
                  named: str | tuple[str, ...]) -> BaseException:
    """`call()` (awaited if it is a coroutine) raises `error`, its message naming `named`.

    `shown` is how the call reads in the failure message, e.g. ``fetch_url(s, 'ftp://x')``;
    `named` is the word (or words: argument and value) the message must hold.
    """
    async def attempt() -> Any:
        result = call()
        return await result if inspect.isawaitable(result) else result

    result, raised = await settle(attempt())
    if not isinstance(raised, error):
        raise AssertionError(f"Called {shown}. It {outcome(result, raised)}, but the spec expected "
                             f"{error.__name__} with a message that names the bad input")
    words = (named,) if isinstance(named, str) else named
    missing = [word for word in words if not names(str(raised), word)]
    assert not missing, (
        f"Called {shown}. It raised {error.__name__}({str(raised)!r}); the message should "
        f"name the bad input: {' and '.join(missing)}"
    )
    return raised


async def rejects_naming(error: type[BaseException], call: Callable[[], Any], *, shown: str,
                         argument: str, value: Any) -> None:
    """`call()` raises `error`, its message naming `argument` and showing `value` (str or repr)."""
    raised = await rejects(error, call, shown=shown, named=argument)
    assert shows(str(raised), value), (
        f"Called {shown}. It raised {error.__name__}({str(raised)!r}); the message should "
        f"name the bad value too: {value!r}")


def running_tasks() -> list[str]:
    """The tasks still running besides the caller, by coroutine name (sorted): what a spec
    reads at the moment a call returns, to check that it left nothing behind."""
    me = asyncio.current_task()
    return sorted(getattr(t.get_coro(), "__qualname__", t.get_name())
                  for t in asyncio.all_tasks() if t is not me and not t.done())


def same(got: Any, want: Any, tolerance: float = 1e-6) -> bool:
    """`got` is `want`, numbers within `tolerance` (seconds of loop time: the microsecond by
    default), inside lists and tuples too; True, False and None by identity."""
    if isinstance(want, bool) or want is None:
        return got is want
    if isinstance(want, int | float):
        return (isinstance(got, int | float) and not isinstance(got, bool)
                and abs(got - want) <= tolerance)
    if isinstance(want, list | tuple):
        return (isinstance(got, list | tuple) and len(got) == len(want)
                and all(same(g, w, tolerance) for g, w in zip(got, want, strict=True)))
    return bool(got == want)


CLOCK_RESOLUTION = 1e-4
"""Seconds within which two loop times are the same moment: the loop clock's resolution for
the specs' purposes. A correct solution may read a moment a few µs off the exact float: the kit
moves the virtual clock by 1 µs when float arithmetic sets a timer at "now" (as aiolimiter's
leaky bucket does), and sums of float delays drift by ulps. 0.1 ms is far above that, and far
below what a spec must catch: a 10 ms poll, a rounded time or a wall clock is late by 100 times
as much. Non-time numbers (counts, exact ratios, sizes) are compared exactly."""


def same_time(got: Any, want: Any) -> bool:
    """`got` is the loop time (or duration of loop time) `want`, within `CLOCK_RESOLUTION`:
    numbers, inside lists and tuples too; True, False and None by identity. One-sided checks
    ("no later than `due`") allow the same: ``ended <= due + CLOCK_RESOLUTION``."""
    return same(got, want, CLOCK_RESOLUTION)


async def settle(awaitable: Any) -> tuple[Any, BaseException | None]:
    """Await `awaitable`: ``(result, None)``, or ``(None, error)`` whatever it raised; the
    wait is the timeline's row "caller", ending in a mark: returned, failed or cancelled."""
    try:
        with timeline.drawing(timeline.CALLER, timeline.WAIT, returned=True):
            return await awaitable, None
    except BaseException as error:
        return None, error


def outcome(result: Any, error: BaseException | None) -> str:
    """``returned 'ok'`` or ``raised ValueError('x'), in f() at kata/m.py:7 (`...`)``: what a
    call did, for a message (where, when the error came from the learner's code)."""
    if error is None:
        return f"returned {show(result)}"
    if isinstance(error, asyncio.CancelledError):
        return "was cancelled"
    return f"raised {error!r}" + raised_where(error)


def raised_where(error: BaseException) -> str:
    """``, in compare() at kata01_gather/gather.py:54 (`return a / b`)``: the deepest frame of
    the learner's code that `error` went through; "" when it never did."""
    deepest = next((frame for frame in reversed(frames_of(error))
                    if is_learner_file(frame.tb_frame.f_code.co_filename)), None)
    if deepest is None:
        return ""
    return ", in " + place(deepest.tb_frame, source=True, lineno=deepest.tb_lineno)

