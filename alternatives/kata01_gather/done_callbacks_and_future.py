"""Correct, in another style: a Future resolved by done-callbacks, counting down the jobs left."""

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timed:
    result: object
    seconds: float

    def __iter__(self):
        return iter((self.result, self.seconds))


@dataclass(frozen=True)
class Comparison:
    sequential_s: float
    concurrent_s: float
    speedup: float

    def __iter__(self):
        return iter((self.sequential_s, self.concurrent_s, self.speedup))

    def __str__(self):
        return (f"{self.sequential_s:.2f} s in sequence / {self.concurrent_s:.2f} s "
                f"concurrently = {self.speedup:.1f}x")


def _check(jobs):
    if isinstance(jobs, str | bytes | Awaitable):  # iterable, but of letters, or of itself
        raise TypeError(f"not a collection of jobs: {jobs!r}")
    try:
        listed = [*jobs]
    except TypeError:
        raise TypeError(f"cannot iterate over {jobs!r}") from None
    bad = next((job for job in listed if not callable(job)), _check)
    if bad is not _check:
        raise TypeError(f"not callable: {bad!r}")
    return listed


async def run_sequentially(jobs):
    listed = _check(jobs)
    results = [None] * len(listed)
    for position in range(len(listed)):
        results[position] = await listed[position]()
    return results


async def run_concurrently(jobs):
    listed = _check(jobs)
    loop = asyncio.get_running_loop()
    outcome = loop.create_future()
    left = len(listed)

    def finished(task):
        nonlocal left
        left -= 1
        if outcome.done():
            return
        if not task.cancelled() and task.exception() is not None:
            outcome.set_exception(task.exception())
        elif left == 0:
            outcome.set_result(None)

    tasks = []
    for job in listed:
        task = asyncio.ensure_future(job())  # any awaitable, a Future too
        task.add_done_callback(finished)
        tasks.append(task)
    if not tasks:
        return []
    try:
        await outcome
    except BaseException:
        for task in tasks:
            task.cancel()
        remaining = [t for t in tasks if not t.done()]
        while remaining:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*remaining, return_exceptions=True)
            remaining = [t for t in tasks if not t.done()]
        raise
    return [task.result() for task in tasks]


async def timed(job):
    if not callable(job):
        raise TypeError(f"job {job!r} cannot be called")
    clock = asyncio.get_running_loop()
    begin = clock.time()
    value = await job()
    return Timed(value, clock.time() - begin)


async def compare(jobs):
    listed = _check(jobs)
    seq = (await timed(lambda: run_sequentially(listed))).seconds
    con = (await timed(lambda: run_concurrently(listed))).seconds
    return Comparison(seq, con, 1.0 if con == 0 else seq / con)
