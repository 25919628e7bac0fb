"""Correct, in another style: `limit` workers pull numbered jobs from one shared iterator."""

import asyncio


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

    try:
        async with asyncio.TaskGroup() as group:
            crew = [group.create_task(worker()) for _ in range(min(limit, len(jobs)))]
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    for member in crew:
        member.result()  # a job that ended cancelled ended its worker so: CancelledError
    return results
