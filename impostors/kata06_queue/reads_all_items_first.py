"""Turns the items into a list before starting: a generator is drained up front."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

_DONE = object()  # one per worker, after the last item: "no more work"


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")


async def pipeline(items: Iterable[Any], handle: Callable[[Any], Awaitable[Any]], *,
                   workers: int = 4, maxsize: int = 10) -> list[Any]:
    if not isinstance(items, Iterable):
        raise TypeError(f"items must be iterable, got {items!r}")
    if not callable(handle):
        raise TypeError(f"handle must be an async callable, got {handle!r}")
    _check_count("workers", workers)
    _check_count("maxsize", maxsize)
    items = list(items)
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize)
    results: dict[int, Any] = {}

    async def produce() -> None:
        for entry in enumerate(items):
            await queue.put(entry)
        for _ in range(workers):
            await queue.put(_DONE)

    async def consume() -> None:
        while (entry := await queue.get()) is not _DONE:
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
