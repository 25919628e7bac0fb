"""run_sequentially calls each job but forgets to await it: a list of coroutine objects."""

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_sequentially(jobs):
    return [job() for job in _checked(jobs)]
