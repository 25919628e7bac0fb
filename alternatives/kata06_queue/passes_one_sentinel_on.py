"""Correct, in another style: a single sentinel that each worker puts back for the next one."""


from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

_DONE = object()  # after the last item: "no more work", passed from worker to worker


class _EndedCancelled(Exception):
    """handle() raised CancelledError although nothing cancelled its worker: a failure."""


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")


async def pipeline(items: Iterable[Any], handle: Callable[[Any], Awaitable[Any]], *,
                   workers: int = 4, maxsize: int = 10) -> list[Any]:
    """Feed `items` through a queue of `maxsize` to `workers` consumers; results in input order.

    The first exception of `handle` or of `items` propagates itself once every other task
    has been cancelled and has ended; cancelling the pipeline cancels its tasks the same way.
    A `handle` that ends cancelled by itself is such a failure: it raises CancelledError.
    Bad arguments (a bool is not a count) raise before any item is pulled, naming the
    argument and its value.
    """
    if not isinstance(items, Iterable):
        raise TypeError(f"items must be iterable, got {items!r}")
    if not callable(handle):
        raise TypeError(f"handle must be an async callable, got {handle!r}")
    _check_count("workers", workers)
    _check_count("maxsize", maxsize)
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize)
    results: dict[int, Any] = {}
    caller = asyncio.current_task()  # a failure in the TaskGroup cancels it too

    async def produce() -> None:
        for entry in enumerate(items):  # lazily: put() waits while the queue is full
            await queue.put(entry)
        await queue.put(_DONE)  # one sentinel: each worker that meets it passes it on

    async def consume() -> None:
        while True:
            entry = await queue.get()
            if entry is _DONE:
                queue.put_nowait(_DONE)  # room: this worker just took it out
                return
            index, item = entry
            try:
                results[index] = await handle(item)
            except asyncio.CancelledError:
                if caller.cancelling():  # stopped: by the caller, or a failure
                    raise
                raise _EndedCancelled from None  # a BaseException the TaskGroup would not see

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        if isinstance(failures.exceptions[0], _EndedCancelled):
            raise asyncio.CancelledError from None
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
