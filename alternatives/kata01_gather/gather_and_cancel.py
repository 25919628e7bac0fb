"""Correct, in another style: gather over tasks, cancelling and awaiting them on failure."""

import asyncio
from collections.abc import Awaitable
from typing import NamedTuple


class Timed(NamedTuple):
    result: object
    seconds: float


class Comparison(NamedTuple):
    sequential_s: float
    concurrent_s: float
    speedup: float

    def __str__(self):
        return f"seq={self.sequential_s}s conc={self.concurrent_s}s gain={self.speedup}x"


def _jobs(jobs):
    if isinstance(jobs, str | bytes | Awaitable):  # iterable, but of letters, or of itself
        raise TypeError(f"expected an iterable of jobs, not {jobs!r}")
    try:
        jobs = list(jobs)
    except TypeError:
        raise TypeError(f"expected an iterable of jobs, not {jobs!r}") from None
    for position, job in enumerate(jobs):
        if not callable(job):
            raise TypeError(f"item {position} ({job!r}) is not callable: pass a function, "
                            "not a coroutine")
    return jobs


async def run_sequentially(jobs):
    results = []
    for job in _jobs(jobs):
        results.append(await job())
    return results


async def run_concurrently(jobs):
    tasks = [asyncio.ensure_future(job()) for job in _jobs(jobs)]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        cancelled = asyncio.current_task().cancelling()
        if not cancelled:  # a cancelled gather has cancelled them already: once is enough
            for task in tasks:
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if cancelled:
            raise asyncio.CancelledError from None  # not the error of a clean-up it caused
        raise


async def timed(job):
    if not callable(job):
        raise TypeError(f"job must be callable, got {job!r}")
    clock = asyncio.get_running_loop().time
    begin = clock()
    value = await job()
    return Timed(value, clock() - begin)


async def compare(jobs):
    jobs = _jobs(jobs)
    sequential = (await timed(lambda: run_sequentially(jobs))).seconds
    concurrent = (await timed(lambda: run_concurrently(jobs))).seconds
    return Comparison(sequential, concurrent, sequential / concurrent if concurrent > 0 else 1.0)
