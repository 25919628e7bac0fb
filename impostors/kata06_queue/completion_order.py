"""Appends each result as it is ready: the results come back in finishing order."""

import asyncio

from reference.kata06_queue.pipeline import *  # noqa: F403

_DONE = object()


async def pipeline(items, handle, *, workers=4, maxsize=10):
    queue = asyncio.Queue(maxsize)
    results = []

    async def produce():
        for item in items:
            await queue.put(item)
        for _ in range(workers):
            await queue.put(_DONE)

    async def consume():
        while (item := await queue.get()) is not _DONE:
            results.append(await handle(item))

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return results
