"""Counts acquisitions per fixed window (floor of time / per): up to 2 x rate across a boundary."""

from __future__ import annotations

import asyncio
import math


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
        self._window: int | None = None  # floor(loop time / per) of the current window
        self._count = 0  # acquisitions in it
        self._turn = asyncio.Lock()  # waiters queue on it first come, first served

    async def acquire(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            while True:
                window = math.floor(loop.time() / self.per)
                if window != self._window:
                    self._window, self._count = window, 0
                if self._count < self.rate:
                    self._count += 1
                    return
                await asyncio.sleep((window + 1) * self.per - loop.time())

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
