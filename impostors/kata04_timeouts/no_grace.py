"""Worker.stop cancels the item in progress at once: no grace at all."""

from reference.kata04_timeouts.timeouts import *  # noqa: F403
from reference.kata04_timeouts.timeouts import Worker as _Worker
from reference.kata04_timeouts.timeouts import cancel_and_wait


class Worker(_Worker):
    async def stop(self):
        if self._runner is None:
            raise RuntimeError("this worker was never started")
        await cancel_and_wait(self._runner)
        if self._current is None:
            return "idle"
        _, job = self._current
        self._current = None
        await cancel_and_wait(job)
        return "cancelled"
