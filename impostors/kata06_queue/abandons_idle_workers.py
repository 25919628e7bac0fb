"""Returns once the results are in, leaving the workers blocked on queue.get() forever."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


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
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize)
    results: dict[int, Any] = {}

    async def consume() -> None:
        while True:
            index, item = await queue.get()
            try:
                results[index] = await handle(item)
            finally:
                queue.task_done()

    for _ in range(workers):
        asyncio.create_task(consume())
    for entry in enumerate(items):
        await queue.put(entry)
    await queue.join()  # every item handled: the results are in
    return [results[index] for index in sorted(results)]
