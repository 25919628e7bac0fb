"""SingleFlight serializes every load behind one lock: different keys wait for each other."""

import asyncio

from reference.kata08_sync.sync import *  # noqa: F403


class SingleFlight:
    def __init__(self, ttl=0.0):
        if not isinstance(ttl, int | float) or isinstance(ttl, bool):
            raise TypeError(f"ttl must be a number of seconds, got {ttl!r}")
        if ttl < 0:
            raise ValueError(f"ttl must not be negative, got {ttl!r}")
        self.ttl = ttl
        self.lock = asyncio.Lock()
        self.cache = {}

    async def get(self, key, loader):
        loop = asyncio.get_running_loop()
        async with self.lock:
            if key in self.cache and loop.time() < self.cache[key][1] + self.ttl:
                return self.cache[key][0]
            value = await loader(key)
            self.cache[key] = (value, loop.time())
            return value
