"""A cancelled waiter removes the head of the queue, not itself: the first in line loses its turn."""

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
        self._stamps = deque()
        self._queue = deque()
        self._timer = None

    def _room(self, now):
        while self._stamps and self._stamps[0] + self.per <= now:
            self._stamps.popleft()
        return len(self._stamps) < self.rate

    def _serve(self):
        loop = asyncio.get_running_loop()
        self._timer = None
        while self._queue and self._room(loop.time()):
            waiter = self._queue.popleft()
            waiter.set_result(None)
            self._stamps.append(loop.time())
        if self._queue and self._timer is None:
            self._timer = loop.call_at(self._stamps[0] + self.per, self._serve)

    async def acquire(self):
        loop = asyncio.get_running_loop()
        if not self._queue and self._room(loop.time()):
            self._stamps.append(loop.time())
            return
        waiter = loop.create_future()
        self._queue.append(waiter)
        if self._timer is None:
            self._timer = loop.call_at(self._stamps[0] + self.per, self._serve)
        try:
            await waiter
        except asyncio.CancelledError:
            if not waiter.done() or waiter.cancelled():
                self._queue.popleft()  # leave the queue
            raise

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        return None
