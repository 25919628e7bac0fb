"""Correct, in another style: a plain list of recent times, pruned by a comprehension per call."""

import asyncio


class RateLimiter:
    def __init__(self, rate: int, per: float = 1.0) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int):
            raise TypeError(f"invalid rate {rate!r}: an int is needed")
        if isinstance(per, bool) or not isinstance(per, (int, float)):
            raise TypeError(f"invalid per {per!r}: seconds as an int or float are needed")
        if rate < 1:
            raise ValueError(f"invalid rate {rate!r}: at least 1")
        if not per > 0 or per - per != 0:  # inf - inf is NaN
            raise ValueError(f"invalid per {per!r}: a finite number above 0")
        self.rate = rate
        self.per = float(per)
        self._times: list[float] = []
        self._line = asyncio.Lock()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._line:
            now = loop.time()
            self._times = [t for t in self._times if t + self.per > now]
            if len(self._times) >= self.rate:
                await asyncio.sleep(self._times[0] + self.per - now)
                self._times = self._times[1:]  # the oldest has left the window
            self._times.append(loop.time())

    async def __aenter__(self) -> "RateLimiter":
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None
