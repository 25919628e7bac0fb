"""Kata 07, as a learner wrote it: aiolimiter does the waiting."""

from __future__ import annotations

from aiolimiter import AsyncLimiter


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
        self._bucket = AsyncLimiter(1, per / rate)  # one at a time, evenly spaced

    async def acquire(self) -> None:
        await self._bucket.acquire()

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
