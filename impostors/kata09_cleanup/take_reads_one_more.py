"""take checks the count before keeping an item, so it reads one item too many."""

import contextlib

from reference.kata09_cleanup.cleanup import *  # noqa: F403


async def take(items, n):
    taken = []
    async with contextlib.aclosing(items):
        async for item in items:
            if len(taken) == n:
                break
            taken.append(item)
    return taken
