"""Keeps the waiters on a stack: when a slot frees, the newest waiter passes first (LIFO)."""

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
        self._waiters = []
        self._timer = None

    def _room(self, now):
        while self._passed and self._passed[0] + self.per <= now:
            self._passed.popleft()
        return len(self._passed) < self.rate

    def _wake(self):
        loop = asyncio.get_running_loop()
        self._timer = None
        while self._waiters and self._room(loop.time()):
            waiter = self._waiters.pop()
            if not waiter.done():
                waiter.set_result(None)
                self._passed.append(loop.time())
        if self._waiters:
            self._timer = loop.call_at(self._passed[0] + self.per, self._wake)

    async def acquire(self):
        loop = asyncio.get_running_loop()
        if not self._waiters and self._room(loop.time()):
            self._passed.append(loop.time())
            return
        waiter = loop.create_future()
        self._waiters.append(waiter)
        if self._timer is None:
            self._timer = loop.call_at(self._passed[0] + self.per, self._wake)
        await waiter

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
