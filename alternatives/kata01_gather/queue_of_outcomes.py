"""Correct, in another style: jobs report outcomes to a queue; a failure cancels the rest."""

import asyncio
from collections.abc import Awaitable, Iterable
from typing import NamedTuple


class Timed(NamedTuple):
    result: object
    seconds: float


class Comparison(NamedTuple):
    sequential_s: float
    concurrent_s: float
    speedup: float

    def __str__(self):
        return "{:.3f} s one by one | {:.3f} s all at once | x{:.2f} faster".format(*self)


def _listed(jobs):
    if not isinstance(jobs, Iterable) or isinstance(jobs, str | bytes | Awaitable):
        raise TypeError(f"{jobs!r} is not an iterable of jobs")
    listed = []
    for job in jobs:
        if not callable(job):
            raise TypeError(f"not a job (a callable returning an awaitable): {job!r}")
        listed.append(job)
    return listed


async def run_sequentially(jobs):
    results = []
    for job in _listed(jobs):
        results.append(await job())
    return results


async def run_concurrently(jobs):
    listed = _listed(jobs)
    outcomes = asyncio.Queue()

    async def report(index, job):
        # Every end is an outcome, a cancellation too: a job that ends cancelled by itself
        # must not leave the loop below waiting; these tasks are cancelled once it stopped.
        try:
            value = await job()
        except BaseException as error:
            outcomes.put_nowait((index, False, error))
        else:
            outcomes.put_nowait((index, True, value))

    tasks = [asyncio.ensure_future(report(i, job)) for i, job in enumerate(listed)]
    results = [None] * len(tasks)
    try:
        for _ in tasks:
            index, succeeded, value = await outcomes.get()
            if not succeeded:
                raise value
            results[index] = value
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results


async def timed(job):
    if not callable(job):
        raise TypeError(f"timed() needs a job, not {job!r}")
    clock = asyncio.get_running_loop().time
    began = clock()
    value = await job()
    return Timed(value, clock() - began)


async def compare(jobs):
    listed = _listed(jobs)
    one_by_one = await timed(lambda: run_sequentially(listed))
    all_at_once = await timed(lambda: run_concurrently(listed))
    if all_at_once.seconds == 0:
        return Comparison(one_by_one.seconds, 0.0, 1.0)
    return Comparison(one_by_one.seconds, all_at_once.seconds,
                      one_by_one.seconds / all_at_once.seconds)
