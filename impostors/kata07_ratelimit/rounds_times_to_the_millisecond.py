"""Rounds the times it keeps to the millisecond (to tame float noise): passes up to 0.5 ms early or late."""

import asyncio
from collections import deque


class RateLimiter:
    def __init__(self, rate, per=1.0):
        if isinstance(rate, bool) or not isinstance(rate, int):
            raise TypeError(f"rate must be an int, got {rate!r}")
        if rate < 1:
            raise ValueError(f"rate must be at least 1, got {rate!r}")
        if isinstance(per, bool) or not isinstance(per, int | float):
            raise TypeError(f"per must be a number, got {per!r}")
        if not per > 0:
            raise ValueError(f"per must be above 0, got {per!r}")
        self.rate, self.per = rate, per
        self._passed = deque()
        self._lock = asyncio.Lock()

    async def acquire(self):
        loop = asyncio.get_running_loop()
        async with self._lock:
            if len(self._passed) == self.rate:
                await asyncio.sleep(max(0.0, self._passed[0] + self.per - loop.time()))
                self._passed.popleft()
            self._passed.append(round(loop.time(), 3))

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
