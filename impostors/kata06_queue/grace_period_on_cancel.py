"""Gives the cancelled tasks a grace period of 1 s to end: a longer clean-up is left running."""

import asyncio
from collections.abc import Iterable

_DONE = object()


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")


async def pipeline(items, handle, *, workers=4, maxsize=10):
    if not isinstance(items, Iterable):
        raise TypeError(f"items must be iterable, got {items!r}")
    if not callable(handle):
        raise TypeError(f"handle must be an async callable, got {handle!r}")
    _check_count("workers", workers)
    _check_count("maxsize", maxsize)
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
            try:
                results[index] = await handle(item)
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():
                    raise
                raise RuntimeError("handle ended cancelled") from None

    tasks = [asyncio.ensure_future(produce())] + [asyncio.ensure_future(consume())
                                                   for _ in range(workers)]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:
            if task.done() and task.exception() is not None:
                error = task.exception()
                if isinstance(error, RuntimeError) and str(error) == "handle ended cancelled":
                    raise asyncio.CancelledError
                raise error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=1.0)  # a grace period for their clean-up
    return [results[index] for index in sorted(results)]
