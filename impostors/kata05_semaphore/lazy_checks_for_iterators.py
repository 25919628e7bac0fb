"""Checks a list's jobs up front but a generator's only as each is pulled: a bad job is found late."""

import asyncio
from collections.abc import Iterable, Sequence


async def run_tasks(jobs, limit, *, return_exceptions=False):
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    if not isinstance(jobs, Iterable):
        raise TypeError(f"jobs must be an iterable of async callables, got {jobs!r}")
    if isinstance(jobs, Sequence):
        for index, job in enumerate(jobs):
            if not callable(job):
                raise TypeError(f"job {index} must be an async callable, got {job!r}")
    # a generator is pulled lazily, one job per free worker: no need to hold them all
    numbered = enumerate(jobs)
    results = {}
    stop = False

    async def worker():
        nonlocal stop
        for index, job in numbered:
            if stop:
                return
            if not callable(job):
                stop = True
                raise TypeError(f"job {index} must be an async callable, got {job!r}")
            try:
                results[index] = await job()
            except Exception as error:
                if not return_exceptions:
                    stop = True
                    raise
                results[index] = error
            except asyncio.CancelledError:
                if not asyncio.current_task().cancelling():
                    stop = True
                raise

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(limit):
                group.create_task(worker())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    if stop:
        raise asyncio.CancelledError
    return [results[index] for index in sorted(results)]
