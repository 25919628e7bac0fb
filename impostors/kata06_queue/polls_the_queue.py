"""Workers poll the queue every 10 ms (get_nowait, then sleep): items start up to 10 ms late."""

import asyncio
from collections.abc import Iterable


def _check(items, handle, workers, maxsize):
    if not isinstance(items, Iterable):
        raise TypeError(f"items must be iterable, got {items!r}")
    if not callable(handle):
        raise TypeError(f"handle must be callable, got {handle!r}")
    for name, value in (("workers", workers), ("maxsize", maxsize)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value!r}")


async def pipeline(items, handle, *, workers=4, maxsize=10):
    _check(items, handle, workers, maxsize)
    queue = asyncio.Queue(maxsize)
    results = {}
    finished = False

    async def produce():
        nonlocal finished
        for entry in enumerate(items):
            await queue.put(entry)
        finished = True

    async def consume():
        while True:
            try:
                index, item = queue.get_nowait()
            except asyncio.QueueEmpty:
                if finished:
                    return
                await asyncio.sleep(0.01)
                continue
            results[index] = await handle(item)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
