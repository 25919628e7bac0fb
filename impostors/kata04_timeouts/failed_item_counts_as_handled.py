"""stop records an item that failed within the grace as handled."""

import asyncio
import inspect


def _seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")


async def timeout_after(seconds, awaitable):
    if seconds is not None:
        try:
            _seconds("seconds", seconds)
        except (TypeError, ValueError):
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise
    async with asyncio.timeout(seconds):
        return await awaitable


async def cancel_and_wait(task):
    if not isinstance(task, asyncio.Future):
        raise TypeError(f"expected a task or future, got {task!r}")
    task.cancel()
    await asyncio.wait({task})
    return task.cancelled()


class Worker:
    def __init__(self, handle, *, grace=5.0):
        if not callable(handle):
            raise TypeError(f"handle must be callable, got {handle!r}")
        _seconds("grace", grace)
        self._handle = handle
        self._grace = grace
        self._queue = asyncio.Queue()
        self._loop_task = None
        self._current = None
        self.handled = []
        self.failed = []

    async def __aenter__(self):
        self.start()
        return self

    async def __aexit__(self, *exc_info):
        await self.stop()

    def start(self):
        if self._loop_task is not None:
            raise RuntimeError("already started")
        self._loop_task = asyncio.create_task(self._run())

    def put(self, item):
        if self._loop_task is None or self._loop_task.done():
            raise RuntimeError(f"cannot put {item!r}: not running")
        self._queue.put_nowait(item)

    def _settle(self, item, job):
        if job.exception() is None:
            self.handled.append(item)
        else:
            self.failed.append((item, job.exception()))

    async def _run(self):
        while True:
            item = await self._queue.get()
            job = asyncio.ensure_future(self._handle(item))
            self._current = (item, job)
            await asyncio.wait({job})
            self._current = None
            self._settle(item, job)

    async def stop(self):
        if self._loop_task is None:
            raise RuntimeError("never started")
        await cancel_and_wait(self._loop_task)
        if self._current is None:
            return "idle"
        item, job = self._current
        self._current = None
        done, _ = await asyncio.wait({job}, timeout=self._grace)
        if not done:
            await cancel_and_wait(job)
            return "cancelled"
        self.handled.append(item)
        return "finished"
