"""take breaks out of the loop but never closes the stream: the source stays open."""

from reference.kata09_cleanup.cleanup import *  # noqa: F403


async def take(items, n):
    taken = []
    if n:
        async for item in items:
            taken.append(item)
            if len(taken) == n:
                break
    return taken
