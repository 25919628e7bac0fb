"""Ignores attempts and retries until the operation succeeds: forever, if it never does."""

import asyncio

from reference.kata03_retry.retry import *  # noqa: F403
from reference.kata03_retry.retry import backoff_delay


async def retry_async(operation, *, attempts=3, base_delay=1.0, factor=2.0, max_delay=30.0,
                      retry_on=(Exception,), jitter=0.0, rng=None, on_retry=None):
    retry = 0
    while True:
        try:
            return await operation()
        except retry_on:
            await asyncio.sleep(backoff_delay(retry, base_delay, factor, max_delay))
            retry += 1
