"""Relies on aiohttp.ClientTimeout for the check timeout: the mocked server ignores it."""

import aiohttp

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Monitor as _Monitor


class Monitor(_Monitor):
    async def _probe(self, url, session):
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=self.timeout)) as r:
                await r.read()
                return r.status < 400
        except (aiohttp.ClientError, TimeoutError):
            return False
