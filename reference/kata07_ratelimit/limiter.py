"""Kata 07: rate limiting (reference solution)."""

from __future__ import annotations

import asyncio
import math
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
        if not 0 < per < math.inf:  # False for NaN too
            raise ValueError(f"per must be a finite number of seconds above 0, got {per!r}")
        self.rate = rate
        self.per = per
        self._passed: deque[float] = deque()  # loop times of the last `rate` acquisitions
        self._turn = asyncio.Lock()  # waiters queue on it first come, first served

    async def acquire(self) -> None:
        """Wait until one more acquisition fits in the window, then take it."""
        async with self._turn:
            loop = asyncio.get_running_loop()
            if len(self._passed) == self.rate:
                await asyncio.sleep(self._passed[0] + self.per - loop.time())
                self._passed.popleft()
            self._passed.append(loop.time())

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
