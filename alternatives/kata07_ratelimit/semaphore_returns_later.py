"""Correct, in another style: a Semaphore of `rate` slots, each given back `per` seconds later."""

import asyncio


class RateLimiter:
    def __init__(self, rate, per=1.0):
        if type(rate) is not int:
            raise TypeError(f"rate={rate!r} is not an int")
        if rate <= 0:
            raise ValueError(f"rate={rate!r} must be 1 or more")
        if type(per) not in (int, float):
            raise TypeError(f"per={per!r} is not a number")
        if not 0 < per < float("inf"):
            raise ValueError(f"per={per!r} must be more than 0, and finite")
        self.rate, self.per = rate, per
        self.slots = asyncio.Semaphore(rate)

    async def acquire(self):
        await self.slots.acquire()
        asyncio.get_running_loop().call_later(self.per, self.slots.release)

    async def __aenter__(self):
        await self.acquire()
        return self

    async def __aexit__(self, *_):
        pass
