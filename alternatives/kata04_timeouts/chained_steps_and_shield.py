"""Correct, in another style: timeout_at, a shield loop, one chained step task per item."""

import asyncio
import inspect


def _seconds(name, value):
    if type(value) is bool or not isinstance(value, int | float):
        raise TypeError(f"expected {name} as a number, got {value!r}")
    if not value >= 0:  # NaN is not >= 0 either
        raise ValueError(f"expected {name} >= 0, got {value!r}")


async def timeout_after(seconds, awaitable):
    if seconds is None:
        when = None
    else:
        try:
            _seconds("seconds", seconds)
        except (TypeError, ValueError):
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise
        when = asyncio.get_running_loop().time() + seconds
    if not hasattr(type(awaitable), "__await__") and not inspect.iscoroutine(awaitable):
        raise TypeError(f"not awaitable: {awaitable!r}")
    async with asyncio.timeout_at(when):
        return await awaitable


async def cancel_and_wait(task):
    if not isinstance(task, asyncio.Future):
        raise TypeError(f"not a Task or Future: {task!r}")
    task.cancel()
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():
                raise  # our caller was cancelled; the shielded task goes on
        except Exception:
            pass
    return task.cancelled()


class Worker:
    """Each put() chains a step task that waits for the step before it, then runs handle."""

    def __init__(self, handle, *, grace=5.0):
        if not callable(handle):
            raise TypeError(f"handle is not callable: {handle!r}")
        _seconds("grace", grace)
        self._handle = handle
        self._grace = grace
        self._started = self._stopped = False
        self._steps = []
        self._running = None
        self.handled = []
        self.failed = []

    async def __aenter__(self):
        self.start()
        return self

    async def __aexit__(self, *_):
        await self.stop()

    def start(self):
        if self._started:
            raise RuntimeError("the worker was started already")
        self._started = True

    def put(self, item):
        if not self._started or self._stopped:
            raise RuntimeError(f"put({item!r}): the worker is not running")
        self._steps = [step for step in self._steps if not step.done()]
        before = self._steps[-1] if self._steps else None
        self._steps.append(asyncio.ensure_future(self._step(item, before)))

    def _book(self, item, job):
        if job.exception() is not None:
            self.failed.append((item, job.exception()))
        else:
            self.handled.append(item)

    async def _step(self, item, before):
        if before is not None:
            await asyncio.wait({before})
        job = asyncio.ensure_future(self._handle(item))
        self._running = item, job
        await asyncio.wait({job})
        self._running = None
        self._book(item, job)

    async def stop(self):
        if not self._started:
            raise RuntimeError("the worker was never started")
        if self._stopped:
            return "idle"
        self._stopped = True
        steps, self._steps = self._steps, []
        for step in steps:
            step.cancel()
        if steps:
            await asyncio.wait(steps)
        if self._running is None:
            return "idle"
        item, job = self._running
        self._running = None
        try:
            async with asyncio.timeout(self._grace):
                await asyncio.wait({job})
        except TimeoutError:
            pass
        if job.done():
            self._book(item, job)
            return "finished"
        await cancel_and_wait(job)
        return "cancelled"
