"""A handle that ends cancelled only stops its worker: the TaskGroup does not count a
cancelled task as a failure, so the others go on and the result list comes back short."""

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
            results[entry[0]] = await handle(entry[1])

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
