"""timed measures with time.monotonic(): blind to the event loop's clock."""

import time

from reference.kata01_gather.gather import *  # noqa: F403
from reference.kata01_gather.gather import Timed, _checked


async def timed(job):
    (job,) = _checked([job])
    start = time.monotonic()
    result = await job()
    return Timed(result, time.monotonic() - start)
