"""When the window is full, sleeps a whole period from now: safe, but slower than the rate."""

from __future__ import annotations

import asyncio
from collections import deque


class RateLimiter:
    """At most `rate` acquisitions in any `per` seconds of loop time (a sliding window).

    An acquisition that passed at loop time t counts until t + per; waiters pass first come,
    first served, and one cancelled while waiting takes no slot (its CancelledError
    propagates). Leaving ``async with`` gives nothing back and lets exceptions through.
    """

    def __init__(self, rate: int, per: float = 1.0) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int):
            raise TypeError(f"rate must be an int, got {rate!r}")
        if rate < 1:
            raise ValueError(f"rate must be at least 1, got {rate!r}")
        if isinstance(per, bool) or not isinstance(per, int | float):
            raise TypeError(f"per must be a number of seconds, got {per!r}")
        if not per > 0:
            raise ValueError(f"per must be positive, got {per!r}")
        self.rate = rate
        self.per = per
        self._passed: deque[float] = deque()  # loop times of the last `rate` acquisitions
        self._turn = asyncio.Lock()  # waiters queue on it first come, first served

    async def acquire(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            if len(self._passed) == self.rate:
                await asyncio.sleep(self.per)
                self._passed.clear()
            self._passed.append(loop.time())

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
