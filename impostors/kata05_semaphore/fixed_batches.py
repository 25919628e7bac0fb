"""Runs the jobs in fixed batches of `limit`: a slow job holds up the whole next batch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Job = Callable[[], Awaitable[Any]]


def _checked(jobs: Iterable[Job], limit: int) -> list[Job]:
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


async def run_tasks(jobs: Iterable[Job], limit: int, *,
                    return_exceptions: bool = False) -> list[Any]:
    checked = _checked(jobs, limit)
    async def run(job: Job) -> Any:
        try:
            return await job()
        except Exception as error:
            if return_exceptions:
                return error
            raise

    results = []
    for start in range(0, len(checked), limit):  # one batch of `limit` jobs at a time
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(run(job)) for job in checked[start:start + limit]]
        except BaseExceptionGroup as failures:
            raise failures.exceptions[0] from None
        results += [task.result() for task in tasks]
    return results
