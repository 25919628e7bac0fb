"""Correct, in another style: the producer awaits queue.join() in a TaskGroup, then ends it."""

import asyncio
from collections.abc import Iterable


class _Finished(Exception):
    """Raised by the producer once every item is done: it cancels the idle workers. A worker
    raises it with -1 when handle() ended cancelled by itself: the pipeline is over then too."""


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {value!r}")


async def pipeline(items, handle, *, workers=4, maxsize=10):
    if not isinstance(items, Iterable):
        raise TypeError(f"cannot iterate over items {items!r}")
    if not callable(handle):
        raise TypeError(f"cannot call handle {handle!r}")
    _check_count("workers", workers)
    _check_count("maxsize", maxsize)
    queue = asyncio.Queue(maxsize=maxsize)
    results = {}
    caller = asyncio.current_task()  # the TaskGroup cancels it too when it stops

    async def produce():
        count = 0
        for count, item in enumerate(items, 1):
            await queue.put((count - 1, item))
        await queue.join()
        raise _Finished(count)

    async def consume():
        while True:
            index, item = await queue.get()
            try:
                results[index] = await handle(item)
            except asyncio.CancelledError:
                if caller.cancelling() == 0:
                    raise _Finished(-1) from None  # handle() ended cancelled by itself
                raise
            finally:
                queue.task_done()

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except* _Finished as finished:
        if any(end.args[0] < 0 for end in finished.exceptions):
            raise asyncio.CancelledError from None
    except* BaseException as failures:
        error = failures.exceptions[0]
        while isinstance(error, BaseExceptionGroup):
            error = error.exceptions[0]
        raise error from None
    return [results[index] for index in range(len(results))]
