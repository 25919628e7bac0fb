"""Correct, in another style: a FIFO of futures, woken by a call_at timer as the oldest expires."""

import asyncio
import collections
import numbers


class RateLimiter:
    def __init__(self, rate, per=1.0):
        if not isinstance(rate, numbers.Integral) or isinstance(rate, bool):
            raise TypeError(f"RateLimiter: rate={rate!r} is not an integer")
        if rate < 1:
            raise ValueError(f"RateLimiter: rate={rate!r} is below 1")
        if not isinstance(per, numbers.Real) or isinstance(per, bool):
            raise TypeError(f"RateLimiter: per={per!r} is not a number")
        if per != per or per <= 0 or per == float("inf"):
            raise ValueError(f"RateLimiter: per={per!r} is not a finite number above 0")
        self.rate, self.per = rate, per
        self._stamps = collections.deque()  # when the acquisitions in the window passed
        self._queue = collections.deque()  # futures of the waiters, first come first
        self._timer = None

    def _has_room(self, now):
        while self._stamps and self._stamps[0] + self.per <= now:
            self._stamps.popleft()
        return len(self._stamps) < self.rate

    def _serve(self):
        loop = asyncio.get_running_loop()
        self._timer = None
        while self._queue and self._has_room(loop.time()):
            waiter = self._queue.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._stamps.append(loop.time())
        if self._queue and self._timer is None:
            self._timer = loop.call_at(self._stamps[0] + self.per, self._serve)

    async def acquire(self):
        loop = asyncio.get_running_loop()
        if not self._queue and self._has_room(loop.time()):
            self._stamps.append(loop.time())
            return
        waiter = loop.create_future()
        self._queue.append(waiter)
        if self._timer is None:
            self._timer = loop.call_at(self._stamps[0] + self.per, self._serve)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # granted, then cancelled: give it back
                self._stamps.remove(max(self._stamps))
                self._serve()
            raise

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, exc_type, exc, tb):
        return False
