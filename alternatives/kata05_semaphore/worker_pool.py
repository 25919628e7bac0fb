"""Correct, in another style: `limit` workers pull numbered jobs from one shared iterator."""

import asyncio


class _EndedCancelled(Exception):
    """A job raised CancelledError itself, while nothing cancelled it: the pool stops."""


async def run_tasks(jobs, limit, *, return_exceptions=False):
    if type(limit) is not int:
        raise TypeError(f"limit={limit!r} must be an int")
    if limit <= 0:
        raise ValueError(f"limit={limit!r} must be positive")
    try:
        jobs = list(jobs)
    except TypeError:
        raise TypeError(f"jobs={jobs!r} is not iterable") from None
    bad = [job for job in jobs if not callable(job)]
    if bad:
        raise TypeError(f"not callable: {bad[0]!r}")
    results = [None] * len(jobs)
    queue = iter(enumerate(jobs))
    stop = False
    caller = asyncio.current_task()

    async def worker():
        nonlocal stop
        for index, job in queue:
            if stop:
                return
            try:
                results[index] = await job()
            except Exception as error:
                if not return_exceptions:
                    stop = True
                    raise
                results[index] = error
            except asyncio.CancelledError:
                if stop or caller.cancelling():  # the pool is stopping: this is its cancel
                    raise
                stop = True  # the job ended cancelled by itself: stop the pool, as a failure
                raise _EndedCancelled from None

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(limit, len(jobs))):
                group.create_task(worker())
    except ExceptionGroup as failures:
        if isinstance(failures.exceptions[0], _EndedCancelled):
            raise asyncio.CancelledError from None
        raise failures.exceptions[0] from None
    return results
