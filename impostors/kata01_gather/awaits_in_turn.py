"""run_concurrently awaits each job in turn: correct results, no concurrency at all."""

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_concurrently(jobs):
    return [await job() for job in _checked(jobs)]
