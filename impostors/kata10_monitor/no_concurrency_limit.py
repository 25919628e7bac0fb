"""Ignores the limit: every check of a round runs at once."""

import asyncio

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Monitor as _Monitor


class Monitor(_Monitor):
    async def check(self, url):
        if self._session is None:
            raise RuntimeError("start the monitor first")
        loop = asyncio.get_running_loop()
        await self._pace()
        began = loop.time()
        up = await self._probe(url, self._session)
        for attempt in range(1, self.attempts):
            if up:
                break
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            up = await self._probe(url, self._session)
        self._record(url, up, loop.time() - began)
        return up
