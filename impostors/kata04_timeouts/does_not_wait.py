"""cancel_and_wait only requests the cancellation and returns at once."""

from reference.kata04_timeouts.timeouts import *  # noqa: F403


async def cancel_and_wait(task):
    return task.cancel()
