"""acquire gives the connection back only when the block succeeds: errors leak it."""

import contextlib

from reference.kata09_cleanup.cleanup import *  # noqa: F403
from reference.kata09_cleanup.cleanup import Pool as _Pool


class Pool(_Pool):
    @contextlib.asynccontextmanager
    async def acquire(self):
        self._check_open()
        await self._slots.acquire()
        connection = self._idle.pop() if self._idle else await self._factory()
        yield connection
        self._idle.append(connection)
        self._slots.release()
