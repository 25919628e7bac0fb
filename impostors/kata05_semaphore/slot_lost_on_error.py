"""Acquires and releases the Semaphore by hand, without finally: a failed job keeps its slot."""

import asyncio

from reference.kata05_semaphore.pool import *  # noqa: F403
from reference.kata05_semaphore.pool import _checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    slots = asyncio.Semaphore(limit)

    async def in_slot(job):
        await slots.acquire()
        result = await job()
        slots.release()
        return result

    tasks = [in_slot(job) for job in _checked(jobs, limit)]
    return list(await asyncio.gather(*tasks, return_exceptions=return_exceptions))
