"""cancel_and_wait catches every CancelledError while waiting, the caller's own included."""

import asyncio

from reference.kata04_timeouts.timeouts import *  # noqa: F403


async def cancel_and_wait(task):
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        return True
    return False
