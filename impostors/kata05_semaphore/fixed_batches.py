"""Runs the jobs in fixed batches of `limit`: a slow job holds up the whole next batch."""

import asyncio

from reference.kata05_semaphore.pool import *  # noqa: F403
from reference.kata05_semaphore.pool import _checked


async def run_tasks(jobs, limit, *, return_exceptions=False):
    checked = _checked(jobs, limit)
    results = []
    for start in range(0, len(checked), limit):
        batch = checked[start:start + limit]
        results += await asyncio.gather(*(job() for job in batch),
                                        return_exceptions=return_exceptions)
    return results
