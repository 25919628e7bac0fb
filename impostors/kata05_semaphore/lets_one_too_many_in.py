"""Lets a job in while `running <= limit` (off by one): one job more than `limit` runs at once."""

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
    changed = asyncio.Condition()
    running = 0
    failing = False

    async def in_slot(job):
        nonlocal running, failing
        async with changed:
            await changed.wait_for(lambda: running <= limit)
            running += 1
        try:
            if failing:
                return None
            return await job()
        except Exception as error:
            if return_exceptions:
                return error
            failing = True
            raise
        finally:
            async with changed:
                running -= 1
                changed.notify_all()

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]

