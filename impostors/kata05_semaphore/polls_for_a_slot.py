"""Waits for a free slot by polling every 10 ms instead of a Semaphore: a job starts up to 10 ms after its slot frees."""

import asyncio


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
        if not callable(job):
            raise TypeError(f"not a callable job: {job!r}")
    return jobs



async def run_tasks(jobs, limit, *, return_exceptions=False):
    checked = _check(jobs, limit)
    running = 0
    failing = False

    async def in_slot(job):
        nonlocal running, failing
        while running >= limit:
            await asyncio.sleep(0.01)  # check again shortly
        if failing:
            return None
        running += 1
        try:
            return await job()
        except Exception as error:
            if return_exceptions:
                return error
            failing = True
            raise
        finally:
            running -= 1

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]

