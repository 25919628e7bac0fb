"""Correct, in another style: numbered tickets, an asyncio.Condition, abandoned tickets skipped."""

import asyncio
import itertools


class RateLimiter:
    def __init__(self, rate, per=1.0):
        if type(rate) is not int:
            raise TypeError(f"rate should be an int, not {type(rate).__name__} {rate!r}")
        if rate < 1:
            raise ValueError(f"rate should be 1 or more, not {rate}")
        if type(per) not in (int, float):
            raise TypeError(f"per should be seconds (int or float), not {per!r}")
        if not per > 0 or per * 0 != 0:  # inf * 0 is NaN
            raise ValueError(f"per should be a finite number above 0, not {per}")
        self.rate, self.per = rate, per
        self._recent = []  # pass times, oldest first, at most `rate`
        self._tickets = itertools.count()
        self._serving = 0
        self._abandoned = set()
        self._changed = asyncio.Condition()

    def _advance(self):
        self._serving += 1
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1
        self._changed.notify_all()

    async def acquire(self):
        loop = asyncio.get_running_loop()
        async with self._changed:  # tickets are taken in turn, under the Condition's lock
            ticket = next(self._tickets)
            try:
                await self._changed.wait_for(lambda: self._serving == ticket)
                if len(self._recent) == self.rate:
                    await asyncio.sleep(self._recent[0] + self.per - loop.time())
                    del self._recent[0]
                self._recent.append(loop.time())
            except asyncio.CancelledError:
                if self._serving == ticket:
                    self._advance()
                else:
                    self._abandoned.add(ticket)
                raise
            self._advance()

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info):
        pass
