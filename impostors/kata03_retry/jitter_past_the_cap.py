"""Applies jitter after the cap, so a jittered delay can exceed max_delay."""

import asyncio
import random

from reference.kata03_retry.retry import *  # noqa: F403
from reference.kata03_retry.retry import RetryEvent, backoff_delay


async def retry_async(operation, *, attempts=3, base_delay=1.0, factor=2.0, max_delay=30.0,
                      retry_on=(Exception,), jitter=0.0, rng=None, on_retry=None):
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except asyncio.CancelledError:
            raise
        except retry_on as error:
            if attempt == attempts:
                raise
            delay = backoff_delay(attempt - 1, base_delay, factor, max_delay)
            delay *= (rng or random).uniform(1 - jitter, 1 + jitter)
            if on_retry:
                on_retry(RetryEvent(attempt, error, delay))
            await asyncio.sleep(delay)
