"""close() closes the idle connections only: lent ones come back to a closed pool and stay open."""

import contextlib

from reference.kata09_cleanup.cleanup import *  # noqa: F403
from reference.kata09_cleanup.cleanup import Pool as _Pool


class Pool(_Pool):
    @contextlib.asynccontextmanager
    async def acquire(self):
        self._check_open()
        async with self._slots:
            self._check_open()
            connection = self._idle.pop() if self._idle else await self._factory()
            try:
                yield connection
            finally:
                self._idle.append(connection)
