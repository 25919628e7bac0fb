"""run_group unwraps the ExceptionGroup to its first error: the other failures are lost."""

import asyncio

from reference.kata09_cleanup.cleanup import *  # noqa: F403


async def run_group(jobs):
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(job()) for job in jobs]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
