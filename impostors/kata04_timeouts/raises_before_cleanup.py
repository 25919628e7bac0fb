"""timeout_after cancels the work at the deadline but raises before its clean-up has run."""

import asyncio

from reference.kata04_timeouts.timeouts import *  # noqa: F403


async def timeout_after(seconds, awaitable):
    work = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({work}, timeout=seconds)
    if not done:
        work.cancel()
        raise TimeoutError(f"no result within {seconds} s")
    return work.result()
