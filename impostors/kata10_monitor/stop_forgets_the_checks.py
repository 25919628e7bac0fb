"""stop() cancels the schedule but leaves the checks in flight and the session open."""

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Monitor as _Monitor


class Monitor(_Monitor):
    async def stop(self):
        if self._session is None:
            raise RuntimeError("this monitor was never started")
        for task in list(self._tasks):
            if task.get_coro().__qualname__.endswith("_schedule"):
                task.cancel()
