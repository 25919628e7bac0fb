"""Correct, in another style: queue.join() raced against the workers, task_done in finally."""

import asyncio


def _count(name, value):
    if type(value) is not int:
        raise TypeError(f"{name} should be an int, not {value!r}")
    if value < 1:
        raise ValueError(f"{name} should be 1 or more, not {value!r}")


async def pipeline(items, handle, *, workers=4, maxsize=10):
    try:
        source = iter(items)
    except TypeError:
        raise TypeError(f"items={items!r} cannot be iterated") from None
    if not callable(handle):
        raise TypeError(f"handle={handle!r} cannot be called")
    _count("workers", workers)
    _count("maxsize", maxsize)
    queue = asyncio.Queue(maxsize)
    results = {}

    async def consume():
        while True:
            index, item = await queue.get()
            try:
                results[index] = await handle(item)
            finally:
                queue.task_done()

    async def produce():
        for entry in enumerate(source):
            await queue.put(entry)
        await queue.join()

    tasks = [asyncio.create_task(consume()) for _ in range(workers)]
    producer = asyncio.create_task(produce())
    try:
        done, _ = await asyncio.wait({producer, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task.exception():
                raise task.exception()
    finally:
        for task in (producer, *tasks):
            task.cancel()
        await asyncio.gather(producer, *tasks, return_exceptions=True)
    return [results[n] for n in range(len(results))]
