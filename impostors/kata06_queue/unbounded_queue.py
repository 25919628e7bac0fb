"""Uses an unbounded queue: the producer races ahead and loads every item into memory."""

import asyncio

from reference.kata06_queue.pipeline import *  # noqa: F403

_DONE = object()


async def pipeline(items, handle, *, workers=4, maxsize=10):
    queue = asyncio.Queue()
    results = {}

    async def produce():
        for entry in enumerate(items):
            await queue.put(entry)
        for _ in range(workers):
            await queue.put(_DONE)

    async def consume():
        while (entry := await queue.get()) is not _DONE:
            results[entry[0]] = await handle(entry[1])

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
