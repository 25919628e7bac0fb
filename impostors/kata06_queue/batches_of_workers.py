"""Takes `workers` items at a time and gathers each batch: a slow item holds up the next batch."""

import asyncio
import itertools
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
    source = iter(items)
    results = []
    while batch := list(itertools.islice(source, workers)):
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(handle(item)) for item in batch]
        results += [task.result() for task in tasks]
    return results
