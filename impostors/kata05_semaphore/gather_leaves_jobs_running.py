"""Bounds the jobs with a Semaphore but gathers them: a failure leaves the rest running."""

import asyncio

from reference.kata05_semaphore.pool import *  # noqa: F403
from reference.kata05_semaphore.pool import _checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    slots = asyncio.Semaphore(limit)

    async def in_slot(job):
        async with slots:
            return await job()

    tasks = [in_slot(job) for job in _checked(jobs, limit)]
    return list(await asyncio.gather(*tasks, return_exceptions=return_exceptions))
