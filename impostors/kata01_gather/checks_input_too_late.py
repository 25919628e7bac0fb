"""run_sequentially checks each job only when it reaches it: earlier jobs already ran."""

from reference.kata01_gather.gather import *  # noqa: F403


async def run_sequentially(jobs):
    results = []
    for job in jobs:
        if not callable(job):
            raise TypeError(f"not an async callable: {job!r}")
        results.append(await job())
    return results
