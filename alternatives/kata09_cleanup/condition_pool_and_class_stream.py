"""Correct, in another style: a pool on an asyncio.Condition with tickets for first come,
first served, a hand-written ``__aenter__``/``__aexit__`` lease, and a while-loop take."""

import asyncio
import itertools


async def run_group(jobs):
    listed = list(jobs)
    for job in listed:
        if not callable(job):
            raise TypeError(f"run_group got {job!r}, which cannot be called")
    group = asyncio.TaskGroup()
    async with group:
        tasks = list(map(group.create_task, (job() for job in listed)))
    return [task.result() for task in tasks]


class _Lease:
    def __init__(self, pool):
        self.pool = pool
        self.connection = None

    async def __aenter__(self):
        self.connection = await self.pool._checkout()
        return self.connection

    async def __aexit__(self, *exc_info):
        await self.pool._checkin(self.connection)
        return False


class Pool:
    def __init__(self, factory, size):
        if not callable(factory):
            raise TypeError(f"factory {factory!r} is not callable")
        if type(size) is not int:
            raise TypeError(f"size {size!r} is not an int")
        if size < 1:
            raise ValueError(f"size {size!r} < 1")
        self.factory, self.size = factory, size
        self.count = 0
        self.idle = []
        self.changed = asyncio.Condition()
        self.tickets = itertools.count()
        self.queue = []
        self.closed = False

    def acquire(self):
        return _Lease(self)

    def _mine(self, ticket):
        return self.closed or (self.queue[0] == ticket and (self.idle or self.count < self.size))

    async def _checkout(self):
        if self.closed:
            raise RuntimeError("pool is closed")
        ticket = next(self.tickets)
        async with self.changed:
            self.queue.append(ticket)
            try:
                await self.changed.wait_for(lambda: self._mine(ticket))
            finally:
                self.queue.remove(ticket)
                self.changed.notify_all()
            if self.closed:
                raise RuntimeError("pool closed while waiting")
            if self.idle:
                return self.idle.pop(0)
            self.count += 1
        try:
            connection = await self.factory()
        except BaseException:
            async with self.changed:
                self.count -= 1
                self.changed.notify_all()
            raise
        if self.closed:  # closed while the connection was made: it is not lent
            await connection.close()
            raise RuntimeError("pool closed while connecting")
        return connection

    async def _checkin(self, connection):
        if self.closed:
            await connection.close()
            return
        async with self.changed:
            self.idle.append(connection)
            self.changed.notify_all()

    async def close(self):
        async with self.changed:
            self.closed = True
            idle, self.idle = self.idle, []
            self.changed.notify_all()
        for connection in idle:
            await connection.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.close()


async def stream(open_source):
    manager = open_source()
    source = await manager.__aenter__()
    try:
        item = await source.read()
        while item is not None:
            yield item
            item = await source.read()
    except BaseException as error:
        await manager.__aexit__(type(error), error, error.__traceback__)
        raise
    else:
        await manager.__aexit__(None, None, None)


async def take(items, n):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"take needs an int n, not {n!r}")
    if n < 0:
        raise ValueError(f"take needs n >= 0, not {n}")
    out = []
    try:
        iterator = aiter(items)
        while len(out) < n:
            try:
                out.append(await anext(iterator))
            except StopAsyncIteration:
                break
    finally:
        await items.aclose()
    return out
