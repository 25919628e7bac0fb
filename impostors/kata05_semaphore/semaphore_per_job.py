"""Creates the Semaphore inside each job's wrapper: every job gets its own, so no limit holds."""

import asyncio

from reference.kata05_semaphore.pool import *  # noqa: F403
from reference.kata05_semaphore.pool import _checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    async def in_slot(job):
        async with asyncio.Semaphore(limit):
            return await job()

    tasks = [in_slot(job) for job in _checked(jobs, limit)]
    return list(await asyncio.gather(*tasks, return_exceptions=return_exceptions))
