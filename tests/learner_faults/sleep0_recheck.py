"""Kata 07, as a learner wrote it: a re-check loop with an off-by-one at the window edge."""

from __future__ import annotations

import asyncio
from collections import deque


class RateLimiter:
    def __init__(self, rate: int, per: float = 1.0) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int):
            raise TypeError(f"rate must be an int, got {rate!r}")
        if rate < 1:
            raise ValueError(f"rate must be at least 1, got {rate!r}")
        if isinstance(per, bool) or not isinstance(per, int | float):
            raise TypeError(f"per must be a number, got {per!r}")
        if per <= 0:
            raise ValueError(f"per must be positive, got {per!r}")
        self.rate = rate
        self.per = per
        self.times: deque[float] = deque()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self.times and now - self.times[0] > self.per:  # should be >=
                    self.times.popleft()
                if len(self.times) < self.rate:
                    self.times.append(now)
                    return
                if now - self.times[0] < self.per:
                    await asyncio.sleep(self.times[0] + self.per - now)
                else:
                    await asyncio.sleep(0)

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
