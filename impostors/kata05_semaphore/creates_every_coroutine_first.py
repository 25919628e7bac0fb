"""Calls every job up front and only then waits for a slot to await each coroutine."""

import asyncio

from reference.kata05_semaphore.pool import *  # noqa: F403
from reference.kata05_semaphore.pool import _checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    coroutines = [job() for job in _checked(jobs, limit)]
    slots = asyncio.Semaphore(limit)

    async def in_slot(coroutine):
        async with slots:
            return await coroutine

    return list(await asyncio.gather(*map(in_slot, coroutines),
                                     return_exceptions=return_exceptions))
