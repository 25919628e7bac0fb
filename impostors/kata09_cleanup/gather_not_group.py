"""run_group uses asyncio.gather: the caller gets a bare error and the other jobs run on."""

import asyncio

from reference.kata09_cleanup.cleanup import *  # noqa: F403


async def run_group(jobs):
    return list(await asyncio.gather(*(job() for job in jobs)))
