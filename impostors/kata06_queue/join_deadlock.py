"""Waits on queue.join(): a worker that dies leaves an item never marked done, so join() hangs."""

import asyncio

from reference.kata06_queue.pipeline import *  # noqa: F403


async def pipeline(items, handle, *, workers=4, maxsize=10):
    queue = asyncio.Queue(maxsize)
    results = {}

    async def consume():
        while True:
            index, item = await queue.get()
            results[index] = await handle(item)
            queue.task_done()

    tasks = [asyncio.create_task(consume()) for _ in range(workers)]
    for entry in enumerate(items):
        await queue.put(entry)
    await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [results[index] for index in sorted(results)]
