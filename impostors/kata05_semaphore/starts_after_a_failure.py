"""Semaphore and TaskGroup, but the slot a failed job frees lets one more job start."""

import asyncio

from reference.kata05_semaphore.pool import *  # noqa: F403
from reference.kata05_semaphore.pool import _checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    checked = _checked(jobs, limit)
    slots = asyncio.Semaphore(limit)

    async def in_slot(job):
        async with slots:
            try:
                return await job()
            except Exception as error:
                if return_exceptions:
                    return error
                raise

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
