"""Correct, in another style: wait_for, cancelling() checks, a worker driven by a stop flag."""

import asyncio
import inspect


def _seconds(name, value):
    if type(value) not in (int, float):
        raise TypeError(f"{name}={value!r} is not a number of seconds")
    if value < 0 or value != value:
        raise ValueError(f"{name}={value!r} is negative or NaN")


async def timeout_after(seconds, awaitable):
    if seconds is not None:
        try:
            _seconds("seconds", seconds)
        except (TypeError, ValueError):
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise
    if not inspect.isawaitable(awaitable):
        raise TypeError(f"awaitable expected, got {awaitable!r}")
    return await asyncio.wait_for(awaitable, seconds)


async def cancel_and_wait(task):
    if not isinstance(task, asyncio.Future):
        raise TypeError(f"cancel_and_wait needs a Task, not {task!r}")
    me = asyncio.current_task()
    before = me.cancelling()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        if me.cancelling() > before:
            raise
    except Exception:
        pass
    return task.cancelled()


class Worker:
    def __init__(self, handle, *, grace=5.0):
        if not callable(handle):
            raise TypeError(f"handle {handle!r} is not callable")
        _seconds("grace", grace)
        self.handle, self.grace = handle, grace
        self.queue = asyncio.Queue()
        self.handled, self.failed = [], []
        self.runner = None
        self.job = None
        self.stopping = False

    async def __aenter__(self):
        self.start()
        return self

    async def __aexit__(self, *_):
        await self.stop()

    def start(self):
        if self.runner:
            raise RuntimeError("Worker already started")
        self.runner = asyncio.create_task(self._loop())

    def put(self, item):
        if not self.runner or self.stopping:
            raise RuntimeError(f"put({item!r}) refused: the worker is not running, start it")
        self.queue.put_nowait(item)

    async def _loop(self):
        while not self.stopping:
            item = await self.queue.get()
            self.job = item, asyncio.ensure_future(self.handle(item))
            await asyncio.wait({self.job[1]})
            if not self.stopping:
                self._settle()

    def _settle(self):
        item, job = self.job
        self.job = None
        if job.cancelled():
            return
        if job.exception():
            self.failed.append((item, job.exception()))
        else:
            self.handled.append(item)

    async def stop(self):
        if not self.runner:
            raise RuntimeError("Worker was not started")
        if self.stopping:  # a second stop, even during the first: the first is in charge
            return "idle"
        self.stopping = True
        self.runner.cancel()
        await asyncio.wait({self.runner})
        if self.job is None:
            return "idle"
        _, job = self.job
        try:
            await asyncio.wait_for(asyncio.shield(job), self.grace)
        except TimeoutError:
            job.cancel()
            await asyncio.wait({job})
            self.job = None
            return "cancelled"
        except Exception:
            pass
        self._settle()
        return "finished"
