"""Returns once the results are in, leaving the workers blocked on queue.get() forever."""

import asyncio

from reference.kata06_queue.pipeline import *  # noqa: F403


async def pipeline(items, handle, *, workers=4, maxsize=10):
    queue = asyncio.Queue(maxsize)
    results = {}

    async def consume():
        while True:
            index, item = await queue.get()
            try:
                results[index] = await handle(item)
            finally:
                queue.task_done()

    for _ in range(workers):
        asyncio.create_task(consume())
    for entry in enumerate(items):
        await queue.put(entry)
    await queue.join()
    return [results[index] for index in sorted(results)]
