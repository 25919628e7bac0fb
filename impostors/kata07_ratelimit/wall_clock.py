"""Keeps time with time.monotonic(): blind to the event loop's clock that asyncio.sleep uses."""

import asyncio
import time

from reference.kata07_ratelimit.limiter import *  # noqa: F403
from reference.kata07_ratelimit.limiter import RateLimiter as _RateLimiter


class RateLimiter(_RateLimiter):
    async def acquire(self):
        async with self._turn:
            if len(self._passed) == self.rate:
                await asyncio.sleep(max(0.0, self._passed[0] + self.per - time.monotonic()))
                self._passed.popleft()
            self._passed.append(time.monotonic())
