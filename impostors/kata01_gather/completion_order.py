"""run_concurrently collects results with as_completed: in finishing order, not input order."""

import asyncio

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_concurrently(jobs):
    return [await done for done in asyncio.as_completed([job() for job in _checked(jobs)])]
