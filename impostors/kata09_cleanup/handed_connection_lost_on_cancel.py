"""acquire hands a returned connection to the longest waiter's future; a waiter cancelled just after it was handed one drops it: the connection is lost."""

from __future__ import annotations

import asyncio
import collections
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
        self._free = size
        self._idle: list[Any] = []
        self._waiters: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.closed = False

    async def _take(self) -> Any:
        if self.closed:
            raise RuntimeError("the pool is closed")
        if self._idle and not self._waiters:
            return self._idle.pop()
        if self._free and not self._waiters:
            self._free -= 1
            return await self._make()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            handed = await waiter
        except asyncio.CancelledError:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        if handed is None:
            raise RuntimeError("the pool closed")
        if handed is MAKE:
            return await self._make()
        return handed

    async def _make(self) -> Any:
        try:
            return await self._factory()
        except BaseException:
            self._hand(MAKE)
            raise

    def _hand(self, what: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(what)
                return
        if what is MAKE:
            self._free += 1
        else:
            self._idle.append(what)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        """Lend a connection for the ``async with`` block."""
        connection = await self._take()
        try:
            yield connection
        finally:
            if self.closed:
                await connection.close()
            else:
                self._hand(connection)

    async def close(self) -> None:
        """Close the idle connections now, the lent ones when they come back."""
        self.closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def __aenter__(self) -> Pool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


MAKE = object()


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
