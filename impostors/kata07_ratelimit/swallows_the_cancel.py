"""Catches CancelledError while waiting and returns: the cancelled caller goes on as if it passed."""

import asyncio
from collections import deque


def _check(rate, per):
    if isinstance(rate, bool) or not isinstance(rate, int):
        raise TypeError(f"rate must be an int, got {rate!r}")
    if rate < 1:
        raise ValueError(f"rate must be at least 1, got {rate!r}")
    if isinstance(per, bool) or not isinstance(per, int | float):
        raise TypeError(f"per must be a number of seconds, got {per!r}")
    if not per > 0:
        raise ValueError(f"per must be positive, got {per!r}")


class RateLimiter:
    def __init__(self, rate, per=1.0):
        _check(rate, per)
        self.rate, self.per = rate, per
        self._passed = deque()
        self._turn = asyncio.Lock()

    async def acquire(self):
        try:
            async with self._turn:
                loop = asyncio.get_running_loop()
                if len(self._passed) == self.rate:
                    await asyncio.sleep(self._passed[0] + self.per - loop.time())
                    self._passed.popleft()
                self._passed.append(loop.time())
        except asyncio.CancelledError:
            return  # gave up waiting: nothing recorded

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
