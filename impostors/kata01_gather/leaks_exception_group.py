"""run_concurrently uses a TaskGroup but lets its ExceptionGroup reach the caller."""

import asyncio

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_concurrently(jobs):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(job()) for job in _checked(jobs)]
    return [task.result() for task in tasks]
