"""Kata 04: timeouts and cancellation (reference solution)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

T = TypeVar("T")
Stopped = Literal["idle", "finished", "cancelled"]


def _check_seconds(name: str, seconds: object) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {seconds!r}")
    if seconds < 0:
        raise ValueError(f"{name} must not be negative, got {seconds!r}")
    if seconds != seconds:  # NaN: no deadline is ever "past" it, nor before it (inf is no limit)
        raise ValueError(f"{name} must be a number of seconds, not NaN, got {seconds!r}")


async def timeout_after(seconds: float | None, awaitable: Awaitable[T]) -> T:
    """Await `awaitable`, or raise TimeoutError once `seconds` of loop time have passed.

    Any awaitable (coroutine, task, Future), else TypeError (an async function not called is
    none); a bool is not a number of seconds. A cancellation
    of the caller stays one: the work is cancelled at once too, and cleaned up before the
    cancellation reaches the caller.
    """
    try:
        if seconds is not None:
            _check_seconds("seconds", seconds)
    except (TypeError, ValueError):
        if inspect.iscoroutine(awaitable):
            awaitable.close()  # it will never run: say so, rather than leave it un-awaited
        raise
    if not inspect.isawaitable(awaitable):
        raise TypeError(f"awaitable must be a coroutine, a task or a Future, got {awaitable!r}")
    async with asyncio.timeout(seconds):
        return await awaitable


async def cancel_and_wait(task: asyncio.Future[Any]) -> bool:
    """Cancel `task` and wait until it is done; True if it ended cancelled.

    False means it finished first (or ignored the cancellation): its result or
    exception is still in the task. A cancellation of the caller propagates.
    """
    if not isinstance(task, asyncio.Future):
        raise TypeError(f"expected an asyncio.Task, got {task!r}")
    task.cancel()
    await asyncio.wait({task})
    return task.cancelled()


class Worker:
    """Handles queued items one at a time in a background task, and stops gracefully."""

    def __init__(self, handle: Callable[[Any], Awaitable[Any]], *, grace: float = 5.0) -> None:
        if not callable(handle):
            raise TypeError(f"handle must be an async callable, got {handle!r}")
        _check_seconds("grace", grace)
        self._handle = handle
        self._grace = grace
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._runner: asyncio.Task[None] | None = None
        self._current: tuple[Any, asyncio.Task[Any]] | None = None
        self.handled: list[Any] = []
        self.failed: list[tuple[Any, BaseException]] = []

    async def __aenter__(self) -> Worker:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start(self) -> None:
        """Start the background task (once)."""
        if self._runner is not None:
            raise RuntimeError("this worker was already started")
        self._runner = asyncio.create_task(self._run())

    def put(self, item: Any) -> None:
        """Queue `item` for handling; RuntimeError unless the worker is running."""
        if self._runner is None or self._runner.done():
            raise RuntimeError(f"cannot put {item!r}: the worker is not running "
                               f"(start it first; nothing can be put after stop)")
        self._queue.put_nowait(item)

    def _record(self, item: Any, job: asyncio.Task[Any]) -> None:
        error = job.exception()
        if error is None:
            self.handled.append(item)
        else:
            self.failed.append((item, error))

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            job = asyncio.ensure_future(self._handle(item))  # any awaitable, a Future too
            self._current = (item, job)
            # wait(), not await job: cancelling the runner must not cancel the job; stop() decides.
            await asyncio.wait({job})
            self._current = None
            self._record(item, job)

    async def stop(self) -> Stopped:
        """Stop: the item in progress gets `grace` seconds to finish, then is cancelled.

        Returns "idle" (nothing was in progress), "finished" (it ended within the grace, even
        by failing) or "cancelled" (even if it then ignores the cancellation and returns). Items
        still queued are not handled. A second stop is "idle". A cancellation of stop() itself
        propagates.
        """
        if self._runner is None:
            raise RuntimeError("this worker was never started")
        await cancel_and_wait(self._runner)  # takes no new item; the one in progress runs on
        if self._current is None:
            return "idle"
        item, job = self._current
        self._current = None
        done, _ = await asyncio.wait({job}, timeout=self._grace)
        if not done:
            await cancel_and_wait(job)
            return "cancelled"
        self._record(item, job)
        return "finished"
