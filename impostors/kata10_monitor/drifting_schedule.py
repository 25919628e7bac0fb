"""Waits a full interval after each round ends: slow checks push every later round back."""

import asyncio

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Monitor as _Monitor


class Monitor(_Monitor):
    async def _schedule(self):
        while True:
            await self.round()
            await asyncio.sleep(self.interval)
