"""acquire makes a new connection whenever none is idle: no limit on how many exist."""

import contextlib

from reference.kata09_cleanup.cleanup import *  # noqa: F403
from reference.kata09_cleanup.cleanup import Pool as _Pool


class Pool(_Pool):
    @contextlib.asynccontextmanager
    async def acquire(self):
        self._check_open()
        connection = self._idle.pop() if self._idle else await self._factory()
        try:
            yield connection
        finally:
            if self.closed:
                await connection.close()
            else:
                self._idle.append(connection)
