"""Lets a newcomer pass at once whenever the window has room, even while earlier callers wait."""

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

    def _prune(self, now):
        while self._passed and self._passed[0] + self.per <= now:
            self._passed.popleft()

    async def acquire(self):
        loop = asyncio.get_running_loop()
        self._prune(loop.time())
        if len(self._passed) < self.rate:  # room now: no need to queue
            self._passed.append(loop.time())
            return
        async with self._lock:
            while True:
                self._prune(loop.time())
                if len(self._passed) < self.rate:
                    self._passed.append(loop.time())
                    return
                await asyncio.sleep(self._passed[0] + self.per - loop.time())

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
