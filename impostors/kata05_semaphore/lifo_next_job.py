"""Hands a freed slot to the most recently listed waiting job (a stack): jobs do not start in input order."""

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
    results = [None] * len(checked)
    pending = list(enumerate(checked))
    failing = False

    async def worker():
        nonlocal failing
        while pending and not failing:
            index, job = pending.pop()  # take the next one
            try:
                results[index] = await job()
            except Exception as error:
                if not return_exceptions:
                    failing = True
                    raise
                results[index] = error

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(limit, len(checked))):
                group.create_task(worker())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return results
