"""Correct, in another style: a hand-made bounded buffer (deque + Condition) and a state flag."""

import asyncio
import collections
from collections.abc import Iterable


class _Buffer:
    """A bounded FIFO: put() waits while it holds `size` entries, get() while it is empty."""

    def __init__(self, size):
        self.size = size
        self.entries = collections.deque()
        self.closed = False
        self.changed = asyncio.Condition()

    async def put(self, entry):
        async with self.changed:
            await self.changed.wait_for(lambda: len(self.entries) < self.size)
            self.entries.append(entry)
            self.changed.notify_all()

    async def close(self):
        async with self.changed:
            self.closed = True
            self.changed.notify_all()

    async def get(self):
        """The next entry, or None once the buffer is closed and empty."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.entries or self.closed)
            if not self.entries:
                return None
            entry = self.entries.popleft()
            self.changed.notify_all()
            return entry


class _HandleCancelled(Exception):
    """An error the TaskGroup sees for a handle() that ended cancelled by itself."""


async def pipeline(items, handle, *, workers=4, maxsize=10):
    if not isinstance(items, Iterable):
        raise TypeError(f"items: {items!r} is not iterable")
    if not callable(handle):
        raise TypeError(f"handle: {handle!r} is not callable")
    for name, value in {"workers": workers, "maxsize": maxsize}.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name}: {value!r} is not an int")
        if value < 1:
            raise ValueError(f"{name}: {value!r} is less than 1")
    buffer = _Buffer(maxsize)
    results = {}
    caller = asyncio.current_task()  # a failure in the TaskGroup cancels it too

    async def produce():
        for entry in enumerate(items):
            await buffer.put(entry)
        await buffer.close()

    async def consume():
        while (entry := await buffer.get()) is not None:
            try:
                results[entry[0]] = await handle(entry[1])
            except asyncio.CancelledError:
                if not caller.cancelling():  # handle() ended so by itself
                    raise _HandleCancelled from None
                raise

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(workers):
                group.create_task(consume())
    except BaseExceptionGroup as failures:
        if isinstance(failures.exceptions[0], _HandleCancelled):
            raise asyncio.CancelledError from None
        raise failures.exceptions[0] from None
    return [results[index] for index in sorted(results)]
