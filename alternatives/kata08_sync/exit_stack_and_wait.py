"""Correct, in another style: an AsyncExitStack for the locks, one gate for all, asyncio.wait
that never cancels the shared load."""

import asyncio
import contextlib
from dataclasses import dataclass, field


class Store:
    def __init__(self, value, latency):
        self.value = value
        self.latency = latency

    async def read(self):
        await asyncio.sleep(self.latency)
        return self.value

    async def write(self, value):
        await asyncio.sleep(self.latency)
        self.value = value


def _valid(amount):
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"expected an int amount, not {amount!r}")
    if amount <= 0:
        raise ValueError(f"the amount {amount} is not positive")
    return amount


class Account:
    def __init__(self, name, store):
        self.name = name
        self.store = store
        self.lock = asyncio.Lock()

    async def _update(self, change):
        async with self.lock:
            new = change(await self.store.read())
            await self.store.write(new)
            return new

    def _take(self, amount):
        def change(balance):
            if amount > balance:
                raise ValueError(f"account {self.name!r} is short: {balance} < {amount}")
            return balance - amount
        return change

    async def deposit(self, amount):
        _valid(amount)
        return await self._update(lambda balance: balance + amount)

    async def withdraw(self, amount):
        return await self._update(self._take(_valid(amount)))


async def transfer(source, target, amount):
    _valid(amount)
    if source is target:
        raise ValueError(f"transfer from {source.name!r} to itself")
    async with contextlib.AsyncExitStack() as stack:
        for account in sorted([source, target], key=lambda a: a.name):
            await stack.enter_async_context(account.lock)
        left = source._take(amount)(await source.store.read())
        await source.store.write(left)
        try:
            await target.store.write(await target.store.read() + amount)
        except asyncio.CancelledError:
            await source.store.write(left + amount)  # the debit goes back: nothing moved
            raise


async def run_when_ready(jobs, ready):
    jobs = list(jobs)
    await ready.wait()
    tasks = [asyncio.ensure_future(job()) for job in jobs]
    try:
        await asyncio.wait(tasks) if tasks else None
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)  # cancelled, the jobs finish their clean-up first
    return [task.result() for task in tasks]


@dataclass
class _Entry:
    task: asyncio.Task
    done_at: float | None = None
    waiters: int = field(default=0)


class SingleFlight:
    def __init__(self, ttl=0.0):
        if not isinstance(ttl, (int, float)) or isinstance(ttl, bool):
            raise TypeError(f"ttl {ttl!r} is not a number of seconds")
        if not 0 <= ttl < float("inf"):
            raise ValueError(f"ttl {ttl!r} is negative, NaN or infinite")
        self._ttl = ttl
        self._entries = {}

    def _fresh(self, entry, now):
        if not entry.task.done():
            return True
        if entry.task.cancelled() or entry.task.exception() is not None:
            return False
        return now < entry.done_at + self._ttl

    async def get(self, key, loader):
        loop = asyncio.get_running_loop()
        entry = self._entries.get(key)
        if entry is None or not self._fresh(entry, loop.time()):
            async def load():
                try:
                    return await loader(key)
                finally:
                    entry.done_at = loop.time()
            entry = _Entry(loop.create_task(load()))
            self._entries[key] = entry
        await asyncio.wait([entry.task])  # a cancelled waiter leaves; the task goes on
        return entry.task.result()
