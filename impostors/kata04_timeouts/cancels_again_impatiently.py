"""Worker.stop cancels the item again when it has not ended a moment later: its clean-up is cut."""

import asyncio

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
        item, job = self._current
        self._current = None
        done, _ = await asyncio.wait({job}, timeout=self._grace)
        if done:
            self._record(item, job)
            return "finished"
        job.cancel()
        await asyncio.sleep(0.1)
        if not job.done():
            job.cancel()
        await asyncio.wait({job})
        return "cancelled"
