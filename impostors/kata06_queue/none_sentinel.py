"""Uses None as the "no more work" sentinel: a None item stops a worker and is never handled."""

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
    positions = asyncio.Queue()

    async def produce():
        for index, item in enumerate(items):
            await positions.put(index)
            await queue.put(item)
        for _ in range(workers):
            await queue.put(None)

    async def consume():
        while (item := await queue.get()) is not None:
            index = positions.get_nowait()
            results[index] = await handle(item)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
