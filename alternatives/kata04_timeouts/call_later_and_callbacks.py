"""Correct, in another style: call_later deadlines, done callbacks, a worker woken by an Event."""

import asyncio
import collections
import inspect
import math
import numbers


def _check_seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: not a number of seconds: {value!r}")
    if value < 0 or math.isnan(value):
        raise ValueError(f"{name}: a negative number of seconds, or NaN: {value!r}")


async def timeout_after(seconds, awaitable):
    if seconds is not None:
        try:
            _check_seconds("seconds", seconds)
        except (TypeError, ValueError):
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise
    if not inspect.isawaitable(awaitable):
        raise TypeError(f"timeout_after needs something to await, got {awaitable!r}")
    work = asyncio.ensure_future(awaitable)
    expired = False

    def expire():
        nonlocal expired
        expired = True
        work.cancel()

    timer = None if seconds is None else asyncio.get_running_loop().call_later(seconds, expire)
    try:
        await asyncio.wait({work})
    except asyncio.CancelledError:
        work.cancel()
        await asyncio.wait({work})
        raise
    finally:
        if timer is not None:
            timer.cancel()
    if expired and work.cancelled():
        raise TimeoutError(f"no result within {seconds} s")
    return work.result()


async def cancel_and_wait(task):
    if not asyncio.isfuture(task):
        raise TypeError(f"cancel_and_wait wants a Task or Future, got {task!r}")
    task.cancel()
    if not task.done():
        finished = asyncio.get_running_loop().create_future()

        def on_done(_):
            if not finished.done():
                finished.set_result(None)

        task.add_done_callback(on_done)
        try:
            await finished
        finally:
            task.remove_done_callback(on_done)
    return task.cancelled()


class Worker:
    def __init__(self, handle, *, grace=5.0):
        if not callable(handle):
            raise TypeError(f"handle is not callable: {handle!r}")
        _check_seconds("grace", grace)
        self._handle, self._grace = handle, grace
        self._items = collections.deque()
        self._more = asyncio.Event()
        self._state = "new"
        self._runner = None
        self._job = None
        self.handled, self.failed = [], []

    async def __aenter__(self):
        self.start()
        return self

    async def __aexit__(self, kind, error, trace):
        await self.stop()
        return False

    def start(self):
        if self._state != "new":
            raise RuntimeError(f"start(): the worker is {self._state}, not new")
        self._state = "running"
        self._runner = asyncio.ensure_future(self._serve())

    def put(self, item):
        if self._state != "running":
            raise RuntimeError(f"put({item!r}): the worker is {self._state}, not running")
        self._items.append(item)
        self._more.set()

    def _book(self, item, job):
        error = job.exception()
        if error is None:
            self.handled.append(item)
        else:
            self.failed.append((item, error))

    async def _serve(self):
        while True:
            while not self._items:
                self._more.clear()
                await self._more.wait()
            item = self._items.popleft()
            job = asyncio.ensure_future(self._handle(item))
            self._job = item, job
            await asyncio.wait({job})
            self._job = None
            self._book(item, job)

    async def stop(self):
        if self._state == "new":
            raise RuntimeError("stop(): the worker was never started")
        if self._state == "stopped":
            return "idle"
        self._state = "stopped"
        self._items.clear()
        await cancel_and_wait(self._runner)
        if self._job is None:
            return "idle"
        item, job = self._job
        self._job = None
        loop = asyncio.get_running_loop()
        grace_over = loop.create_future()
        timer = loop.call_later(self._grace,
                                lambda: grace_over.done() or grace_over.set_result(None))
        try:
            await asyncio.wait({job, grace_over}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            grace_over.cancel()
        if job.done():
            self._book(item, job)
            return "finished"
        await cancel_and_wait(job)
        return "cancelled"
