"""Rejects bad arguments with messages that name the argument but not the value it was given."""

import asyncio
from collections import deque


def _check(rate, per):
    if isinstance(rate, bool) or not isinstance(rate, int):
        raise TypeError("rate must be an int")
    if rate < 1:
        raise ValueError("rate must be at least 1")
    if isinstance(per, bool) or not isinstance(per, int | float):
        raise TypeError("per must be a number of seconds")
    if not per > 0:
        raise ValueError("per must be positive")


class RateLimiter:
    def __init__(self, rate, per=1.0):
        _check(rate, per)
        self.rate, self.per = rate, per
        self._passed = deque()
        self._turn = asyncio.Lock()

    async def acquire(self):
        async with self._turn:
            loop = asyncio.get_running_loop()
            if len(self._passed) == self.rate:
                await asyncio.sleep(self._passed[0] + self.per - loop.time())
                self._passed.popleft()
            self._passed.append(loop.time())

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
