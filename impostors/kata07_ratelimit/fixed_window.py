"""Counts acquisitions per fixed window (floor of time / per): up to 2 x rate across a boundary."""

import asyncio
import math

from reference.kata07_ratelimit.limiter import *  # noqa: F403
from reference.kata07_ratelimit.limiter import RateLimiter as _RateLimiter


class RateLimiter(_RateLimiter):
    window = None
    count = 0

    async def acquire(self):
        async with self._turn:
            loop = asyncio.get_running_loop()
            while True:
                window = math.floor(loop.time() / self.per)
                if window != self.window:
                    self.window, self.count = window, 0
                if self.count < self.rate:
                    self.count += 1
                    return
                await asyncio.sleep((window + 1) * self.per - loop.time())
