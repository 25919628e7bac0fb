"""Refills the queue only once it has run dry: the producer waits instead of keeping it filled."""

import asyncio
from collections.abc import Iterable

_DONE = object()


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
    drained = asyncio.Event()
    results = {}

    async def produce():
        source = enumerate(items)
        while True:
            if queue.full():
                drained.clear()
                await drained.wait()
            entry = next(source, None)
            if entry is None:
                break
            queue.put_nowait(entry)
        for _ in range(workers):
            await queue.put(_DONE)

    async def consume():
        while True:
            entry = await queue.get()
            if queue.empty():
                drained.set()
            if entry is _DONE:
                return
            index, item = entry
            results[index] = await handle(item)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
