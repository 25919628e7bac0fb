"""Retries a failed check at once, with no backoff between attempts."""

import asyncio

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Monitor as _Monitor


class Monitor(_Monitor):
    async def check(self, url):
        if self._session is None:
            raise RuntimeError("start the monitor first")
        loop = asyncio.get_running_loop()
        async with self._slots:
            await self._pace()
            began = loop.time()
            for _ in range(self.attempts):
                up = await self._probe(url, self._session)
                if up:
                    break
            self._record(url, up, loop.time() - began)
        return up
