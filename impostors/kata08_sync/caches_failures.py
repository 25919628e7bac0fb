"""SingleFlight keeps a failed load like a good one: every later get re-raises the old error."""

import asyncio

from reference.kata08_sync.sync import *  # noqa: F403
from reference.kata08_sync.sync import SingleFlight as _SingleFlight


class SingleFlight(_SingleFlight):
    def _settled(self, key, load):
        self._loaded_at[key] = load.get_loop().time()
        if not load.cancelled():
            load.exception()

    async def get(self, key, loader):
        load = self._loads.get(key)
        if load is None:
            load = asyncio.ensure_future(loader(key))
            load.add_done_callback(lambda done: self._settled(key, done))
            self._loads[key] = load
        return await asyncio.shield(load)
