"""When the window is full, sleeps a whole period from now: safe, but slower than the rate."""

import asyncio

from reference.kata07_ratelimit.limiter import *  # noqa: F403
from reference.kata07_ratelimit.limiter import RateLimiter as _RateLimiter


class RateLimiter(_RateLimiter):
    async def acquire(self):
        async with self._turn:
            loop = asyncio.get_running_loop()
            if len(self._passed) == self.rate:
                await asyncio.sleep(self.per)
                self._passed.clear()
            self._passed.append(loop.time())
