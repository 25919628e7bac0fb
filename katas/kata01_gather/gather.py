"""Kata 01: coroutines and gather.

A *job* here is a zero-argument async callable: ``fetch`` or ``lambda: fetch(url)``,
not ``fetch(url)`` (that is a coroutine object, already created). Calling a job
creates its coroutine; awaiting that coroutine runs it.

Read README.md for the tasks, run ``./tox -e kata1`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
import inspect  # noqa: F401  (handy for input checks)
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")
Job = Callable[[], Awaitable[T]]


class Timed(NamedTuple):
    """A job's result and how long it took, in seconds of loop time."""

    result: Any
    seconds: float


class Comparison(NamedTuple):
    """The same jobs run one after another, then concurrently."""

    sequential_s: float
    concurrent_s: float
    speedup: float

    def __str__(self) -> str:
        """A one-line report giving, in this order, the sequential time and the
        concurrent time (seconds, to 1/100 s or finer) and the speed-up (to 0.1 or finer).

        For example: ``sequential 3.00 s, concurrent 1.00 s, speed-up x3.0``.
        """
        raise NotImplementedError("TODO: task 5, format the comparison")


async def run_sequentially(jobs: Iterable[Job[T]]) -> list[T]:
    """Await each job in turn, one after another; return the results in input order.

    Each job starts the moment the previous one ends: three one-second jobs take
    three seconds. An empty input gives ``[]``. If a job raises, its exception
    reaches the caller at once and the later jobs are never called.
    Raises TypeError, before any job is called, when `jobs` is not an iterable of
    callables (a str or a Future is not); the message shows the bad value (a
    coroutine object in the list is a mistake worth naming).
    """
    raise NotImplementedError("TODO: task 1, run the jobs one after another")


async def run_concurrently(jobs: Iterable[Job[T]]) -> list[T]:
    """Run every job at the same time; return the results in input order.

    Three one-second jobs take one second; return as soon as the last job ends.
    An empty input gives ``[]``. If a job raises, every other job is cancelled at
    once, and that exception (itself, not wrapped in a group; the first in loop
    time if several jobs fail) reaches the caller as soon as they have finished
    their clean-up. Cancelling the caller cancels the jobs at once; the
    cancellation reaches the caller as soon as they have all ended. Each job is
    cancelled once, and its clean-up runs to its end; an error a cancelled job
    raises from its clean-up is not reported. A job may return any awaitable (a
    Future too). Bad input: as `run_sequentially`.
    """
    raise NotImplementedError("TODO: tasks 2 and 6, run the jobs concurrently")


async def timed(job: Job[T]) -> Timed:
    """Await ``job()`` and return its result with the loop time it took.

    ``seconds`` runs from the call to the job's end, measured with the event
    loop's clock, ``asyncio.get_running_loop().time()``. If the job raises, the
    exception propagates. TypeError, its message showing `job`, if `job` is not
    callable.
    """
    raise NotImplementedError("TODO: task 3, measure a job in loop time")


async def compare(jobs: Iterable[Job[Any]]) -> Comparison:
    """Time `jobs` run sequentially, then (once that run ended) concurrently.

    Each job is called twice, once per run; `jobs` may be a one-pass generator.
    ``speedup`` is sequential time divided by concurrent time (1.0 when the
    concurrent run took no time at all). Bad input: as `run_sequentially`.
    """
    raise NotImplementedError("TODO: tasks 4 and 7, compare the two ways of running")
