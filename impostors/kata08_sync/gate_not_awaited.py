"""run_when_ready peeks at the event once instead of waiting for it: jobs start early."""

import asyncio

from reference.kata08_sync.sync import *  # noqa: F403


async def run_when_ready(jobs, ready):
    await asyncio.sleep(0)
    return list(await asyncio.gather(*(job() for job in jobs)))
