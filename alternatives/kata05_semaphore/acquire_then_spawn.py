"""Correct, in another style: the caller takes a slot, then spawns the job's task, which frees it.

No wrapper waits on the Semaphore: a task exists only for a job that holds a slot.
"""

import asyncio
from collections.abc import Iterable


class _EndedCancelled(Exception):
    """A job raised CancelledError itself, while nothing cancelled it: the pool stops."""


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
    caller = asyncio.current_task()
    stopping = False

    async def holding_a_slot(job):
        nonlocal stopping
        try:
            return await job()
        except Exception as error:
            if return_exceptions:
                return error
            stopping = True
            raise
        except asyncio.CancelledError:
            if stopping or caller.cancelling():  # the pool is stopping: this is its cancel
                raise
            stopping = True  # the job ended cancelled by itself: stop the pool, as a failure
            raise _EndedCancelled from None
        finally:
            slots.release()

    tasks = []
    try:
        async with asyncio.TaskGroup() as group:
            for job in checked:
                await slots.acquire()  # a failure cancels this wait: no further job starts
                tasks.append(group.create_task(holding_a_slot(job)))
    except BaseExceptionGroup as failures:
        if isinstance(failures.exceptions[0], _EndedCancelled):
            raise asyncio.CancelledError from None
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
