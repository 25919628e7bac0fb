"""Correct, on aiolimiter: one AsyncLimiter(1, per) bucket per slot, taken in turn.

A leaky bucket of capacity 1 that drains in `per` seconds lets one acquisition through, then
the next exactly `per` later: a sliding window of rate 1. `rate` of them, used round robin,
make the sliding window of `rate`: the n-th acquisition takes the bucket the (n - rate)-th
filled, so it passes when that one is `per` old. The lock keeps waiters first come, first
served; a waiter cancelled inside AsyncLimiter.acquire() takes no capacity, and the turn
stays with its bucket.
"""

import asyncio
import itertools

from aiolimiter import AsyncLimiter


class RateLimiter:
    def __init__(self, rate: int, per: float = 1.0) -> None:
        for name, value, kinds in (("rate", rate, (int,)), ("per", per, (int, float))):
            if isinstance(value, bool) or not isinstance(value, kinds):
                expected = " or ".join(kind.__name__ for kind in kinds)
                raise TypeError(f"{name}={value!r}: expected {expected}")
        if rate < 1:
            raise ValueError(f"rate={rate!r}: at least 1 acquisition per window")
        if not 0 < per < float("inf"):
            raise ValueError(f"per={per!r}: the window must last more than 0 s, and not forever")
        self.rate, self.per = rate, per
        self._buckets = [AsyncLimiter(1, per) for _ in range(rate)]
        self._turns = itertools.cycle(range(rate))
        self._next = next(self._turns)
        self._queue = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._queue:
            await self._buckets[self._next].acquire()
            self._next = next(self._turns)  # only once the bucket took this acquisition

    async def __aenter__(self) -> "RateLimiter":
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
