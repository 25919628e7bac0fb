"""Correct, in another style: run_group by hand with asyncio.wait, a pool whose factory
runs shielded (a cancelled task's connection still joins the pool), a class for the loan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any


async def run_group(jobs: Iterable[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Structured concurrency by hand: asyncio.wait for the first failure, then cancel the
    rest and wait for their clean-up, gathering every failure (clean-ups' too) in a group."""
    listed = list(jobs)
    for job in listed:
        if not callable(job):
            raise TypeError(f"run_group: {job!r} is not callable")
    tasks = [asyncio.ensure_future(job()) for job in listed]
    if not tasks:
        return []

    async def cancel_and_wait(pending: Iterable[asyncio.Future[Any]]) -> list[BaseException]:
        """Cancel each task once, then wait for them all, whatever cancels us meanwhile:
        a second cancellation must not cut their clean-up short (gather would pass it on)."""
        pending = list(pending)
        for task in pending:
            task.cancel()
        while not all(task.done() for task in pending):
            with contextlib.suppress(asyncio.CancelledError):  # as a TaskGroup: clean-ups first
                await asyncio.wait(pending)  # a cancelled wait leaves the tasks alone
        return [task.exception() for task in pending
                if not task.cancelled() and task.exception() is not None]

    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except asyncio.CancelledError:
        await cancel_and_wait(tasks)
        raise
    failures = [task.exception() for task in tasks
                if task in done and not task.cancelled() and task.exception() is not None]
    if failures:
        failures += await cancel_and_wait(pending)
        raise BaseExceptionGroup("unhandled errors in run_group", failures)
    return [task.result() for task in tasks]


class Pool:
    """A Semaphore of places; the factory runs shielded: a task cancelled while its connection
    is made leaves at once, and the connection joins the pool when it is ready."""

    def __init__(self, factory: Callable[[], Awaitable[Any]], size: int) -> None:
        if not callable(factory):
            raise TypeError(f"Pool: factory {factory!r} is not callable")
        if type(size) is not int:
            raise TypeError(f"Pool: size {size!r} is not an int")
        if size < 1:
            raise ValueError(f"Pool: size {size!r} is below 1")
        self._factory = factory
        self._places = asyncio.Semaphore(size)
        self._idle: list[Any] = []
        self._closing: set[asyncio.Task[None]] = set()  # closes of adopted connections
        self.closed = False

    def _refuse_if_closed(self) -> None:
        if self.closed:
            raise RuntimeError("Pool: closed")

    def _adopt(self, making: asyncio.Future[Any]) -> None:
        """A connection made for a task that was cancelled meanwhile: into the pool."""
        if not making.cancelled() and making.exception() is None:
            self._put_back_now(making.result())
        self._places.release()

    def _put_back_now(self, connection: Any) -> None:
        if self.closed:
            closing = asyncio.ensure_future(connection.close())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        else:
            self._idle.append(connection)

    async def _lend(self) -> Any:
        self._refuse_if_closed()
        await self._places.acquire()
        adopted = False
        try:
            self._refuse_if_closed()
            if self._idle:
                return self._idle.pop(0)
            making = asyncio.ensure_future(self._factory())
            try:
                connection = await asyncio.shield(making)
            except asyncio.CancelledError:
                if not making.done():
                    adopted = True
                    making.add_done_callback(self._adopt)
                raise
            if self.closed:  # closed while it was made: close it, lend nothing
                await connection.close()
                self._refuse_if_closed()
            return connection
        except BaseException:
            if not adopted:
                self._places.release()
            raise

    def acquire(self) -> AbstractAsyncContextManager[Any]:
        """Lend a connection for the ``async with`` block."""
        return _Loan(self)

    async def close(self) -> None:
        """Close the idle connections now, the lent ones when they come back."""
        self.closed = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(connection.close() for connection in idle))

    async def __aenter__(self) -> Pool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class _Loan:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def __aenter__(self) -> Any:
        self._connection = await self._pool._lend()
        return self._connection

    async def __aexit__(self, *exc_info: object) -> None:
        pool = self._pool
        try:
            if pool.closed:
                await self._connection.close()
            else:
                pool._idle.append(self._connection)
        finally:
            pool._places.release()


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
