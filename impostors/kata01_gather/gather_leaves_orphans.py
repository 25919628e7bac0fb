"""run_concurrently uses plain asyncio.gather: on a failure the other jobs keep running."""

import asyncio

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_concurrently(jobs):
    return await asyncio.gather(*(job() for job in _checked(jobs)))
