"""run_sequentially "paces" the jobs with time.sleep, which blocks the event loop."""

import time

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import _checked


async def run_sequentially(jobs):
    results = []
    for job in _checked(jobs):
        time.sleep(0.01)
        results.append(await job())
    return results
