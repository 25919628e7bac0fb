"""Collects whatever a job raises, BaseException too: a job that ends cancelled is a result."""

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
    slots = asyncio.Semaphore(limit)
    failing = asyncio.Event()

    async def in_slot(job: Job) -> Any:
        async with slots:
            if failing.is_set():  # the slot came free because a job failed: start nothing new
                return
            try:
                return await job()
            except BaseException as error:  # collects whatever the job raises
                if return_exceptions:
                    return error
                failing.set()  # before the slot is released, so no waiter starts a job
                raise

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
