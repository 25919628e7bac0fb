"""SingleFlight awaits the shared load directly: one waiter's cancellation cancels it for all."""

from reference.kata08_sync.sync import *  # noqa: F403
from reference.kata08_sync.sync import SingleFlight as _SingleFlight


class SingleFlight(_SingleFlight):
    async def get(self, key, loader):
        import asyncio

        loop = asyncio.get_running_loop()
        load = self._loads.get(key)
        if load is None or (load.done() and loop.time() >= self._loaded_at[key] + self.ttl):
            load = asyncio.ensure_future(loader(key))
            load.add_done_callback(lambda done: self._settled(key, done))
            self._loads[key] = load
        return await load
