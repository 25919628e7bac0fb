"""Books its slot before waiting for it: a waiter that is cancelled keeps the slot it booked."""

import asyncio

from reference.kata07_ratelimit.limiter import *  # noqa: F403
from reference.kata07_ratelimit.limiter import RateLimiter as _RateLimiter


class RateLimiter(_RateLimiter):
    async def acquire(self):
        loop = asyncio.get_running_loop()
        at = loop.time()
        if len(self._passed) >= self.rate:
            at = max(at, self._passed[-self.rate] + self.per)
        self._passed.append(at)
        await asyncio.sleep(at - loop.time())
