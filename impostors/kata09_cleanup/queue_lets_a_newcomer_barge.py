"""A Queue of idle connections: a task asking as a connection comes back takes it before the waiter woken for it (no first come, first served)."""

import asyncio
import contextlib


async def run_group(jobs):
    jobs = list(jobs)
    if not all(callable(job) for job in jobs):
        raise TypeError(f"every job must be callable: {jobs!r}")
    results = [None] * len(jobs)

    async def one(index, job):
        results[index] = await job()

    async with asyncio.TaskGroup() as group:
        for index, job in enumerate(jobs):
            group.create_task(one(index, job))
    return results


_FREED = object()  # queued when a connection could not be made: its slot is free again


class Pool:
    def __init__(self, factory, size):
        if not callable(factory):
            raise TypeError(f"factory={factory!r} cannot be called")
        if type(size) is not int:
            raise TypeError(f"size={size!r} is not an int")
        if size < 1:
            raise ValueError(f"size={size!r} is too small")
        self.factory, self.size = factory, size
        self.idle = asyncio.Queue()
        self.made = 0
        self.closed = False

    def acquire(self):
        return self._lend()

    @contextlib.asynccontextmanager
    async def _lend(self):
        while True:
            if self.closed:
                raise RuntimeError("pool closed")
            if self.idle.empty() and self.made < self.size:
                self.made += 1
                try:
                    connection = await self.factory()
                except BaseException:
                    self.made -= 1
                    self.idle.put_nowait(_FREED)  # a task waiting on the queue looks again
                    raise
                break
            connection = await self.idle.get()
            if connection is None:
                self.idle.put_nowait(None)
                raise RuntimeError("pool closed while waiting")
            if connection is not _FREED:
                break
        try:
            yield connection
        finally:
            if self.closed:
                await connection.close()
            else:
                self.idle.put_nowait(connection)

    async def close(self):
        self.closed = True
        while not self.idle.empty():
            connection = self.idle.get_nowait()
            if connection is not None and connection is not _FREED:
                await connection.close()
        self.idle.put_nowait(None)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *_):
        await self.close()


async def stream(open_source):
    manager = open_source()
    source = await manager.__aenter__()
    try:
        while True:
            item = await source.read()
            if item is None:
                return
            yield item
    finally:
        await manager.__aexit__(None, None, None)


async def take(items, n):
    if type(n) is not int:
        raise TypeError(f"n={n!r} is not an int")
    if n < 0:
        raise ValueError(f"n={n!r} is negative")
    taken = []
    try:
        while len(taken) < n:
            try:
                taken.append(await anext(items))
            except StopAsyncIteration:
                break
    finally:
        await items.aclose()
    return taken
