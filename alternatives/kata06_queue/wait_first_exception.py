"""Correct, in another style: plain tasks, asyncio.wait(FIRST_EXCEPTION), cancel in finally."""

import asyncio

_STOP = object()


def _count(name, value):
    if type(value) is not int:
        raise TypeError(f"{name}={value!r}: expected an int")
    if value < 1:
        raise ValueError(f"{name}={value!r}: expected 1 or more")


_ENDED_CANCELLED = "handle() ended cancelled by itself"


async def pipeline(items, handle, *, workers=4, maxsize=10):
    try:
        source = iter(items)
    except TypeError:
        raise TypeError(f"items={items!r} is not iterable") from None
    if not callable(handle):
        raise TypeError(f"handle={handle!r} is not callable")
    _count("workers", workers)
    _count("maxsize", maxsize)
    queue = asyncio.Queue(maxsize)
    results = []
    caller = asyncio.current_task()
    stopping = False  # set before the pipeline cancels its tasks

    async def produce():
        for item in source:
            results.append(None)
            await queue.put((len(results) - 1, item))
        for _ in range(workers):
            await queue.put(_STOP)

    async def consume():
        while True:
            entry = await queue.get()
            if entry is _STOP:
                return
            try:
                results[entry[0]] = await handle(entry[1])
            except asyncio.CancelledError as cancelled:
                if stopping or caller.cancelling():  # the pipeline's own stop
                    raise
                raise RuntimeError(_ENDED_CANCELLED) from cancelled  # FIRST_EXCEPTION sees it

    tasks = {asyncio.create_task(produce())}
    tasks |= {asyncio.create_task(consume()) for _ in range(workers)}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        failed = [task for task in done if task.exception() is not None]
        if failed:
            error = failed[0].exception()
            if error.args == (_ENDED_CANCELLED,):
                raise error.__cause__
            raise error
    finally:
        stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
    return results
