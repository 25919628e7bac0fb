"""A token bucket that starts full and refills continuously: rate + refill can pass in a window."""

from __future__ import annotations

import asyncio


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
        self._tokens: float | None = None  # the bucket starts full, at the first acquire
        self._stamp = 0.0  # loop time of the last refill
        self._turn = asyncio.Lock()  # waiters queue on it first come, first served

    async def acquire(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            if self._tokens is None:
                self._tokens, self._stamp = float(self.rate), loop.time()
            while True:
                elapsed, self._stamp = loop.time() - self._stamp, loop.time()
                self._tokens = min(self.rate, self._tokens + elapsed * self.rate / self.per)
                if self._tokens >= 1 - 1e-9:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) * self.per / self.rate)

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
