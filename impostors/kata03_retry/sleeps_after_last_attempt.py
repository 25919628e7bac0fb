"""Sleeps after every failure, the last one included, before giving up."""

import asyncio

from reference.kata03_retry.retry import *  # noqa: F403
from reference.kata03_retry.retry import backoff_delay


async def retry_async(operation, *, attempts=3, base_delay=1.0, factor=2.0, max_delay=30.0,
                      retry_on=(Exception,), jitter=0.0, rng=None, on_retry=None):
    error = None
    for attempt in range(attempts):
        try:
            return await operation()
        except asyncio.CancelledError:
            raise
        except retry_on as failure:
            error = failure
            await asyncio.sleep(backoff_delay(attempt, base_delay, factor, max_delay))
    raise error
