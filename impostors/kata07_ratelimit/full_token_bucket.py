"""A token bucket that starts full and refills continuously: rate + refill can pass in a window."""

import asyncio

from reference.kata07_ratelimit.limiter import *  # noqa: F403
from reference.kata07_ratelimit.limiter import RateLimiter as _RateLimiter


class RateLimiter(_RateLimiter):
    tokens = None
    stamp = 0.0

    async def acquire(self):
        async with self._turn:
            loop = asyncio.get_running_loop()
            if self.tokens is None:
                self.tokens, self.stamp = float(self.rate), loop.time()
            while True:
                elapsed, self.stamp = loop.time() - self.stamp, loop.time()
                self.tokens = min(self.rate, self.tokens + elapsed * self.rate / self.per)
                if self.tokens >= 1 - 1e-9:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) * self.per / self.rate)
