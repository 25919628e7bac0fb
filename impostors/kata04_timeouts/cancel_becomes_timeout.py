"""timeout_after turns every CancelledError into TimeoutError, the caller's own included."""

import asyncio

from reference.kata04_timeouts.timeouts import *  # noqa: F403


async def timeout_after(seconds, awaitable):
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.CancelledError:
        raise TimeoutError("cancelled") from None
