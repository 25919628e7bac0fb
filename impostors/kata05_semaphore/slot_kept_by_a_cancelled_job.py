"""Gives the slot back when a job returns or raises an Exception: a job that ends cancelled keeps it."""

import asyncio
from collections.abc import Iterable


def _checked(jobs, limit):
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {limit!r}")
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
    slots = asyncio.Semaphore(limit)
    failing = asyncio.Event()

    async def in_slot(job):
        await slots.acquire()
        if failing.is_set():
            slots.release()
            return None
        try:
            result = await job()
        except Exception as error:
            if not return_exceptions:
                failing.set()
            slots.release()
            if return_exceptions:
                return error
            raise
        slots.release()
        return result

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
