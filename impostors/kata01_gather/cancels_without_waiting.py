"""run_concurrently cancels the other jobs on failure but does not wait for their clean-up."""

import asyncio

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_concurrently(jobs):
    tasks = [asyncio.ensure_future(job()) for job in _checked(jobs)]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
