"""Accepts only `async def` functions: a functools.partial or an object with __call__ is refused with TypeError."""

import asyncio
import inspect


def _check(jobs, limit):
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    try:
        jobs = list(jobs)
    except TypeError:
        raise TypeError(f"jobs must be iterable, got {jobs!r}") from None
    for job in jobs:
        if not inspect.iscoroutinefunction(job):
            raise TypeError(f"not a callable job: {job!r}")
    return jobs


async def run_tasks(jobs, limit, *, return_exceptions=False):
    checked = _check(jobs, limit)

    slots = asyncio.Semaphore(limit)
    failing = asyncio.Event()

    async def in_slot(job):
        async with slots:
            if failing.is_set():
                return None
            try:
                return await job()
            except Exception as error:
                if return_exceptions:
                    return error
                failing.set()
                raise


    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]

