"""Raises the error of the earliest item in input order: an error raised in a clean-up beats the first one."""

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
    errors = {}  # item index: what its handle raised
    ended_cancelled = False

    async def produce():
        for entry in enumerate(items):
            await queue.put(entry)
        for _ in range(workers):
            await queue.put(_DONE)

    async def consume():
        nonlocal ended_cancelled
        while (entry := await queue.get()) is not _DONE:
            index, item = entry
            try:
                results[index] = await handle(item)
            except asyncio.CancelledError:
                if not asyncio.current_task().cancelling():
                    ended_cancelled = True
                    raise RuntimeError("ended cancelled") from None
                raise
            except Exception as error:
                errors[index] = error
                raise

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        if ended_cancelled:
            raise asyncio.CancelledError from None
        if errors:  # report the earliest item's error
            raise errors[min(errors)] from None
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
