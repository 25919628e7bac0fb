"""Retries every Exception, whatever retry_on says."""

import asyncio

from reference.kata03_retry.retry import *  # noqa: F403
from reference.kata03_retry.retry import backoff_delay


async def retry_async(operation, *, attempts=3, base_delay=1.0, factor=2.0, max_delay=30.0,
                      retry_on=(Exception,), jitter=0.0, rng=None, on_retry=None):
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except Exception:
            if attempt == attempts:
                raise
            await asyncio.sleep(backoff_delay(attempt - 1, base_delay, factor, max_delay))
