"""Supervises the jobs with wait(timeout=0.01): a failure cancels the jobs in flight up to 10 ms late."""

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
    stopping = False

    async def in_slot(job):
        nonlocal stopping
        async with slots:
            if stopping:
                return None
            try:
                return await job()
            except Exception as error:
                if return_exceptions:
                    return error
                stopping = True
                raise

    tasks = [asyncio.ensure_future(in_slot(job)) for job in checked]
    try:
        pending = set(tasks)
        while pending:
            # wake when all are done, or every 10 ms to look for a failure
            done, pending = await asyncio.wait(pending, timeout=0.01)
            for task in done:
                if task.cancelled():
                    raise asyncio.CancelledError
                if task.exception() is not None:
                    raise task.exception()
    except BaseException:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        raise
    return [task.result() for task in tasks]
