"""Correct, in another style: the work races an alarm task, done callbacks, a doorbell Future."""

import asyncio
import collections
import inspect
import math
import numbers


def _check(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} is not a number of seconds: {value!r}")
    if value < 0:
        raise ValueError(f"{name} is negative: {value!r}")
    if math.isnan(value):
        raise ValueError(f"{name} is NaN, no number of seconds: {value!r}")


async def _until_done(work):
    """Wait for `work` to end; a cancellation meanwhile is raised once it has ended."""
    interrupted = False
    while not work.done():
        try:
            await asyncio.wait({work})
        except asyncio.CancelledError:
            interrupted = True
    if interrupted:
        raise asyncio.CancelledError


async def timeout_after(seconds, awaitable):
    if seconds is not None:
        try:
            _check("seconds", seconds)
        except (TypeError, ValueError):
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise
    if not inspect.isawaitable(awaitable):
        raise TypeError(f"{awaitable!r} cannot be awaited")
    work = asyncio.ensure_future(awaitable)
    alarm = None if seconds is None else asyncio.ensure_future(asyncio.sleep(seconds))
    try:
        await asyncio.wait({work} if alarm is None else {work, alarm},
                           return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        work.cancel()
        await _until_done(work)
        raise
    finally:
        if alarm is not None:
            alarm.cancel()
    if not work.done():  # the alarm rang first
        work.cancel()
        await _until_done(work)
        if work.cancelled():
            raise TimeoutError(f"gave up after {seconds} s")
    return work.result()


async def cancel_and_wait(task):
    if not isinstance(task, asyncio.Future):
        raise TypeError(f"cancel_and_wait wants an asyncio Task or Future, got {task!r}")
    task.cancel()
    if not task.done():
        ended = asyncio.get_running_loop().create_future()

        def ring(_):
            if not ended.done():
                ended.set_result(None)

        task.add_done_callback(ring)
        try:
            await ended
        finally:
            task.remove_done_callback(ring)
    return task.cancelled()


class Worker:
    def __init__(self, handle, *, grace=5.0):
        if not callable(handle):
            raise TypeError(f"handle is not callable: {handle!r}")
        _check("grace", grace)
        self._handle, self._grace = handle, grace
        self._items = collections.deque()
        self._bell = None
        self._runner = None
        self._stopped = False
        self._job = None
        self.handled, self.failed = [], []

    async def __aenter__(self):
        self.start()
        return self

    async def __aexit__(self, *exc_info):
        await self.stop()
        return False

    def start(self):
        if self._runner is not None:
            raise RuntimeError("start(): this worker has been started already")
        self._runner = asyncio.get_running_loop().create_task(self._loop())

    def put(self, item):
        if self._runner is None or self._stopped:
            raise RuntimeError(f"put({item!r}): the worker is not running")
        self._items.append(item)
        if self._bell is not None and not self._bell.done():
            self._bell.set_result(None)

    def _settle(self, item, job):
        if job.exception() is None:
            self.handled.append(item)
        else:
            self.failed.append((item, job.exception()))

    async def _loop(self):
        while True:
            while not self._items:
                self._bell = asyncio.get_running_loop().create_future()
                await self._bell
            item = self._items.popleft()
            job = asyncio.ensure_future(self._handle(item))
            self._job = (item, job)
            await asyncio.wait({job})
            self._job = None
            self._settle(item, job)

    async def stop(self):
        if self._runner is None:
            raise RuntimeError("stop(): this worker was never started")
        if self._stopped:
            return "idle"
        self._stopped = True
        self._items.clear()
        self._runner.cancel()
        await asyncio.wait({self._runner})
        if self._job is None:
            return "idle"
        item, job = self._job
        self._job = None
        if job.done():
            self._settle(item, job)
            return "finished"
        rang = []
        timer = asyncio.get_running_loop().call_later(
            self._grace, lambda: (rang.append(True), job.cancel()))
        try:
            await asyncio.wait({job})
        finally:
            timer.cancel()
        if rang:
            return "cancelled"
        self._settle(item, job)
        return "finished"
