"""Kata 09: structured concurrency and resource clean-up (reference solution)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any


async def run_group(jobs: Iterable[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run the jobs in one TaskGroup; results in input order.

    If any job fails, the others are cancelled and cleaned up, and the caller
    gets the TaskGroup's ExceptionGroup, holding every job's exception. A cancelled
    caller cancels the jobs and, once they cleaned up, raises CancelledError.
    """
    checked = list(jobs)
    for index, job in enumerate(checked):
        if not callable(job):
            raise TypeError(f"job {index} must be an async callable, got {job!r}")
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(job()) for job in checked]
    return [task.result() for task in tasks]


class Pool:
    """At most `size` connections from `factory`, lent out with ``async with pool.acquire()``."""

    def __init__(self, factory: Callable[[], Awaitable[Any]], size: int) -> None:
        if not callable(factory):
            raise TypeError(f"factory must be an async callable, got {factory!r}")
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"size must be an int, got {size!r}")
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size!r}")
        self._factory = factory
        self._slots = asyncio.Semaphore(size)
        self._idle: list[Any] = []
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("the pool is closed")

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        """Lend a connection (an idle one, or a new one) for the ``async with`` block. A
        factory error comes out of it, and the slot is free again for a waiting task."""
        self._check_open()
        async with self._slots:
            self._check_open()  # it may have closed while we waited for a slot
            connection = self._idle.pop() if self._idle else await self._factory()
            try:
                self._check_open()  # it may have closed while the connection was made
                yield connection
            finally:  # success, error or cancellation: the connection comes back
                if self.closed:
                    await connection.close()
                else:
                    self._idle.append(connection)

    async def close(self) -> None:
        """Close the idle connections now, the lent ones when they come back."""
        self.closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def __aenter__(self) -> Pool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def stream(open_source: Callable[[], AbstractAsyncContextManager[Any]]) -> AsyncIterator[Any]:
    """Yield every item ``source.read()`` gives until it gives None, one read per item asked
    for; the source is closed however the iteration ends (exhausted, or closed early with
    ``aclose``)."""
    async with open_source() as source:
        while (item := await source.read()) is not None:
            yield item


async def take(items: AsyncIterator[Any], n: int) -> list[Any]:
    """The first `n` items of `items`; then `items` is closed (``aclose``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {n!r}")
    if n < 0:
        raise ValueError(f"n must not be negative, got {n!r}")
    taken: list[Any] = []
    async with contextlib.aclosing(items):
        if n:
            async for item in items:
                taken.append(item)
                if len(taken) == n:
                    break
    return taken
