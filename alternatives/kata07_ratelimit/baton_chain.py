"""Correct, in another style: a chain of futures, each caller waiting for the one before it."""

import asyncio
import collections


class RateLimiter:
    def __init__(self, rate, per=1.0):
        if type(rate) is not int:
            raise TypeError(f"rate must be an int, not {rate!r}")
        if rate < 1:
            raise ValueError(f"rate must be 1 or more, not {rate!r}")
        if type(per) not in (int, float):
            raise TypeError(f"per must be an int or a float, not {per!r}")
        if not per > 0 or per == float("inf"):
            raise ValueError(f"per must be above 0 and finite, not {per!r}")
        self.rate, self.per = rate, per
        self._recent = collections.deque(maxlen=rate)  # the last `rate` pass times
        self._last = None  # the future the next caller waits for: its predecessor's turn

    async def acquire(self):
        loop = asyncio.get_running_loop()
        before, mine = self._last, loop.create_future()
        self._last = mine
        try:
            if before is not None and not before.done():
                await asyncio.shield(before)  # my turn comes when the one before me is through
            if len(self._recent) == self.rate:
                wait = self._recent[0] + self.per - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            self._recent.append(loop.time())
        except asyncio.CancelledError:
            if before is not None and not before.done():
                before.add_done_callback(lambda _: mine.set_result(None))  # keep the chain
            else:
                mine.set_result(None)
            raise
        mine.set_result(None)

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, exc_type, exc, tb):
        return False
