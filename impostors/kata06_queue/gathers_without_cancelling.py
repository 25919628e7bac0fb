"""Awaits gather(producer, *workers): the first error propagates, the other tasks run on."""

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
    results = {}

    async def produce():
        for entry in enumerate(items):
            await queue.put(entry)
        for _ in range(workers):
            await queue.put(_DONE)

    async def consume():
        while (entry := await queue.get()) is not _DONE:
            index, item = entry
            results[index] = await handle(item)

    await asyncio.gather(produce(), *(consume() for _ in range(workers)))
    return [results[index] for index in sorted(results)]
