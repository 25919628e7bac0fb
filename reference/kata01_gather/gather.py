"""Kata 01: coroutines and gather (reference solution)."""

from __future__ import annotations

import asyncio
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
        return (f"sequential {self.sequential_s:.2f} s, concurrent {self.concurrent_s:.2f} s, "
                f"speed-up x{self.speedup:.1f}")


def _checked(jobs: Iterable[Job[T]]) -> list[Job[T]]:
    """The jobs as a list, each one an async callable; TypeError otherwise."""
    # a str iterates over its letters, and a Future over itself (its __await__): not jobs
    if not isinstance(jobs, Iterable) or isinstance(jobs, str | bytes | Awaitable):
        raise TypeError(f"jobs must be an iterable of async callables, got {jobs!r}")
    checked = list(jobs)
    for index, job in enumerate(checked):
        if not callable(job):  # a coroutine object is not: it is a call, already made
            raise TypeError(f"job {index} must be an async callable (the function, not its "
                            f"call), got {job!r}")
    return checked


async def run_sequentially(jobs: Iterable[Job[T]]) -> list[T]:
    """Await each job in turn; the results, in input order.

    A job's exception reaches the caller at once; later jobs are never called.
    TypeError, showing the bad value, before any job is called, for bad input.
    """
    return [await job() for job in _checked(jobs)]


async def run_concurrently(jobs: Iterable[Job[T]]) -> list[T]:
    """Run every job at once; the results, in input order.

    If a job fails, the others are cancelled at once, and its exception (the
    original one, not a group; the first if several fail) reaches the caller as
    soon as they have finished their clean-up. Cancelling the caller cancels the
    jobs; the cancellation reaches the caller once they have all ended.
    """
    checked = _checked(jobs)
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(job())) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]


async def timed(job: Job[T]) -> Timed:
    """Await `job()` and measure it, from the call to its end, with the loop's clock."""
    (job,) = _checked([job])
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await job()
    return Timed(result, loop.time() - start)


async def compare(jobs: Iterable[Job[Any]]) -> Comparison:
    """Time `jobs` run sequentially, then concurrently (each job is called once per run)."""
    checked = _checked(jobs)
    sequential = await timed(lambda: run_sequentially(checked))
    concurrent = await timed(lambda: run_concurrently(checked))
    speedup = sequential.seconds / concurrent.seconds if concurrent.seconds else 1.0
    return Comparison(sequential.seconds, concurrent.seconds, speedup)


async def _awaited(awaitable: Awaitable[T]) -> T:
    """Await any awaitable (a Future too) in a coroutine, as TaskGroup.create_task wants.

    A job the group cancelled ends cancelled even if its clean-up raised: the caller hears of
    the first failure, or of its own cancellation, never of a clean-up's error.
    """
    try:
        return await awaitable
    except BaseException as error:
        if isinstance(error, Exception) and asyncio.current_task().cancelling():
            raise asyncio.CancelledError from error
        raise
