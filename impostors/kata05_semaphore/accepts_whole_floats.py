"""Takes a whole-number float as a limit (2.0 works as 2): a limit that is not an int is accepted."""

import asyncio
from collections.abc import Iterable


def _checked(jobs, limit):
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit != int(limit):
        raise TypeError(f"limit must be a whole number, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    if not isinstance(jobs, Iterable):
        raise TypeError(f"jobs must be an iterable of async callables, got {jobs!r}")
    checked = list(jobs)
    for index, job in enumerate(checked):
        if not callable(job):
            raise TypeError(f"job {index} must be an async callable, got {job!r}")
    return checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    checked = _checked(jobs, limit)
    slots = asyncio.Semaphore(int(limit))
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
