"""Kata 03: error handling and retry_async with exponential backoff.

Networks fail for a moment and then work again. `retry_async` tries an async
operation again after a failure, waiting longer each time (exponential
backoff), and gives up after a number of attempts. Cancellation is not a
failure: it is never retried and never swallowed.

Read README.md for the tasks, run ``./tox -e kata3`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
import random
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

BASE_DELAY = 1.0
FACTOR = 2.0
MAX_DELAY = 30.0


class RetryEvent(NamedTuple):
    """Told to ``on_retry`` before each backoff sleep.

    ``attempt`` is the number of the attempt that just failed (the first is 1),
    ``error`` what it raised, ``delay`` the seconds `retry_async` will now wait
    (jitter included).
    """

    attempt: int
    error: BaseException
    delay: float


def backoff_delay(retry: int, base_delay: float = BASE_DELAY, factor: float = FACTOR,
                  max_delay: float = MAX_DELAY) -> float:
    """Seconds to wait before retry number `retry` (0 before the first retry).

    ``base_delay * factor ** retry``, but never more than `max_delay`:
    with the defaults 1, 2, 4, 8, 16, 30, 30, ... (it multiplies, it does not add).
    Any `retry`, however large, gives a number at once (``backoff_delay(10**100)``
    is `max_delay`: no giant ``factor ** retry``, no OverflowError).
    Raises TypeError for a `retry` that is not an int or a non-numeric argument
    (a bool is neither); ValueError for a negative `retry`, `base_delay` or
    `max_delay`, a `factor` below 1, a NaN anywhere, or an infinite `base_delay`
    or `factor` (``max_delay=math.inf`` means no cap). Messages name the argument
    and its value.
    """
    raise NotImplementedError("TODO: task 1, compute the backoff delays")


async def retry_async(
    operation: Callable[[], Awaitable[T]],
    *,
    attempts: int = 3,
    base_delay: float = BASE_DELAY,
    factor: float = FACTOR,
    max_delay: float = MAX_DELAY,
    retry_on: type[BaseException] | tuple[type[BaseException], ...] = (Exception,),
    jitter: float = 0.0,
    rng: random.Random | None = None,
    on_retry: Callable[[RetryEvent], Any] | None = None,
) -> T:
    """Await ``operation()`` until it succeeds; return its result.

    `operation` is any zero-argument callable returning an awaitable (an
    ``async def``, a lambda, a ``functools.partial``, an object with
    ``__call__``). An attempt succeeds when it returns without raising,
    whatever it returns (``None``, ``0`` and ``""`` are results too).
    After a failed attempt that raised one of `retry_on`, sleep
    ``backoff_delay(n)`` seconds (n = 0 after the first failure) and try again,
    `attempts` times in all. A call ``operation()`` that raises before returning
    an awaitable is a failed attempt too. When the last attempt fails, its exception
    propagates unchanged; there is no sleep after it. Other exceptions
    propagate at once. ``asyncio.CancelledError`` is never retried, even when
    `retry_on` would match it, and a cancellation of the call, during an
    attempt or a backoff sleep, ends it at once: CancelledError propagates and
    no further attempt starts.

    `jitter` (0 to 1) spreads each delay at random within
    ``delay * (1 - jitter)`` to ``delay * (1 + jitter)``: it multiplies the
    capped ``backoff_delay(n)``, and the result is capped at `max_delay` again;
    pass ``rng=random.Random(seed)`` to make it repeatable.
    `on_retry`, if given, is called with a `RetryEvent` before each backoff
    sleep; if it returns an awaitable (a coroutine, a Future), that is awaited
    before the sleep. An exception from `on_retry` (or from awaiting what it
    returned) ends the call at once, unchanged: no sleep, no further attempt.

    Every argument is checked before the first attempt: TypeError or
    ValueError (as `backoff_delay`; `attempts` an int, not a bool, at least 1,
    `jitter` a number from 0 to 1, not NaN, `retry_on` an exception class or a tuple of them,
    `operation` and `on_retry` callable: a coroutine object is not), the message
    naming the argument and its value.
    """
    raise NotImplementedError("TODO: tasks 2 to 7, retry with backoff")
