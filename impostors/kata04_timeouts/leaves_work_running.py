"""timeout_after uses asyncio.wait with a timeout and raises, leaving the work running."""

import asyncio

from reference.kata04_timeouts.timeouts import *  # noqa: F403


async def timeout_after(seconds, awaitable):
    work = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({work}, timeout=seconds)
    if not done:
        raise TimeoutError(f"no result within {seconds} s")
    return work.result()
