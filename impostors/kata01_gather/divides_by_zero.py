"""compare divides by the concurrent time even when it is zero (no jobs)."""

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import (
    Comparison,
    _checked,
    run_concurrently,
    run_sequentially,
    timed,
)


async def compare(jobs):
    checked = _checked(jobs)
    sequential = await timed(lambda: run_sequentially(checked))
    concurrent = await timed(lambda: run_concurrently(checked))
    return Comparison(sequential.seconds, concurrent.seconds, sequential.seconds / concurrent.seconds)
