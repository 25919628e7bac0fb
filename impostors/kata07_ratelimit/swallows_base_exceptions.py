"""Returns True from __aexit__ for anything but an Exception: a CancelledError inside the block is swallowed."""

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
                await asyncio.sleep(self._passed[0] + self.per - loop.time())
                self._passed.popleft()
            self._passed.append(loop.time())

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, exc_type, exc, tb):
        # errors of the caller's own go through; anything else is none of our business
        return exc_type is not None and not issubclass(exc_type, Exception)
