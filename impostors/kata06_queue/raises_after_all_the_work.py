"""Gathers with return_exceptions=True and raises the first error only once all the work is done."""

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
    errors = []

    async def produce():
        try:
            for entry in enumerate(items):
                await queue.put(entry)
        finally:
            for _ in range(workers):
                await queue.put(_DONE)

    async def consume():
        while (entry := await queue.get()) is not _DONE:
            index, item = entry
            try:
                results[index] = await handle(item)
            except Exception as error:
                errors.append(error)

    outcomes = await asyncio.gather(produce(), *(consume() for _ in range(workers)),
                                    return_exceptions=True)
    errors += [o for o in outcomes if isinstance(o, BaseException)]
    if errors:
        raise errors[0]
    return [results[index] for index in sorted(results)]
