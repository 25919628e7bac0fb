"""timeout_after polls a time.monotonic() deadline: blind to the event loop's clock."""

import asyncio
import time

from reference.kata04_timeouts.timeouts import *  # noqa: F403


async def timeout_after(seconds, awaitable):
    work = asyncio.ensure_future(awaitable)
    deadline = None if seconds is None else time.monotonic() + seconds
    while not work.done():
        if deadline is not None and time.monotonic() > deadline:
            work.cancel()
            raise TimeoutError
        await asyncio.sleep(0.01)
    return work.result()
