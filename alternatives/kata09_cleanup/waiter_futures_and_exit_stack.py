"""Correct, in another style: a pool as an explicit state machine with a deque of waiter
futures, an AsyncExitStack in the generator, take with anext() and a counter."""

import asyncio
import collections
import contextlib


async def run_group(jobs):
    jobs = [*jobs]
    bad = [job for job in jobs if not callable(job)]
    if bad:
        raise TypeError(f"not callable: {bad[0]!r}")
    results = {}

    async def keep(position, job):
        results[position] = await job()

    async with asyncio.TaskGroup() as group:
        for position, job in enumerate(jobs):
            group.create_task(keep(position, job))
    return [results[position] for position in range(len(jobs))]


_MAKE = object()  # handed to a waiter instead of a connection: a slot is free, make one


class Pool:
    def __init__(self, factory, size):
        if not callable(factory):
            raise TypeError(f"{factory!r} is not a callable factory")
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"{size!r} is not an int size")
        if size < 1:
            raise ValueError(f"size {size} is below 1")
        self._factory = factory
        self._free_slots = size
        self._idle = []
        self._waiters = collections.deque()
        self.closed = False

    async def _take(self):
        if self.closed:
            raise RuntimeError("closed pool")
        if self._idle:
            return self._idle.pop()
        if self._free_slots and not self._waiters:
            self._free_slots -= 1
            return await self._make()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            connection = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()  # handed over as we were cancelled: pass it on
                if handed is _MAKE:
                    self._free_slot()
                else:
                    await self._give(handed)
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        if connection is None:
            raise RuntimeError("the pool closed while waiting")
        if connection is _MAKE:
            return await self._make()
        return connection

    async def _make(self):
        try:
            connection = await self._factory()
        except BaseException:
            self._free_slot()
            raise
        if self.closed:  # made for a pool that closed meanwhile: no one takes its place again
            await connection.close()
            raise RuntimeError("the pool closed while the connection was made")
        return connection

    def _free_slot(self):
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(_MAKE)  # the slot goes to the longest waiter
                return
        self._free_slots += 1

    async def _give(self, connection):
        if self.closed:
            await connection.close()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    @contextlib.asynccontextmanager
    async def _lend(self):
        connection = await self._take()
        try:
            yield connection
        finally:
            await self._give(connection)

    def acquire(self):
        return self._lend()

    async def close(self):
        self.closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        idle, self._idle = self._idle, []
        await asyncio.gather(*(connection.close() for connection in idle))

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.close()


async def stream(open_source):
    async with contextlib.AsyncExitStack() as stack:
        source = await stack.enter_async_context(open_source())
        while True:
            item = await source.read()
            if item is None:
                break
            yield item


async def take(items, n):
    if type(n) is not int:
        raise TypeError(f"n must be an int: {n!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0: {n!r}")
    taken = []
    try:
        for _ in range(n):
            try:
                taken.append(await anext(items))
            except StopAsyncIteration:
                break
    finally:
        await items.aclose()
    return taken
