"""No lock: waiters all see the same oldest time, wake together, and pass together."""

import asyncio

from reference.kata07_ratelimit.limiter import *  # noqa: F403
from reference.kata07_ratelimit.limiter import RateLimiter as _RateLimiter


class RateLimiter(_RateLimiter):
    async def acquire(self):
        loop = asyncio.get_running_loop()
        if len(self._passed) >= self.rate:
            await asyncio.sleep(self._passed[-self.rate] + self.per - loop.time())
        self._passed.append(loop.time())
