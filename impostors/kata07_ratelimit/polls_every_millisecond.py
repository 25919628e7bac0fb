"""Re-checks the window every millisecond (a fine polling loop): passes up to 1 ms late."""

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
            while True:
                now = loop.time()
                while self._passed and self._passed[0] + self.per <= now + 1e-9:
                    self._passed.popleft()
                if len(self._passed) < self.rate:
                    self._passed.append(now)
                    return
                await asyncio.sleep(0.001)

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
