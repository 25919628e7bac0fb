"""Correct, in another style: try/finally locks in reverse name order, gathered store calls,
asyncio.wait for the jobs, an Event per flight and an expiry time per value."""

import asyncio
import math


class Store:
    """A remote value: every read and write is a round trip of `latency` seconds."""

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
    if type(amount) is not int:
        raise TypeError(f"{amount!r} is not an amount: an int is needed")
    if amount < 1:
        raise ValueError(f"{amount!r} is not an amount: more than 0 is needed")


class Account:
    def __init__(self, name, store):
        self.name = name
        self.store = store
        self.lock = asyncio.Lock()

    async def deposit(self, amount):
        _valid(amount)
        await self.lock.acquire()
        try:
            new = await self.store.read() + amount
            await self.store.write(new)
        finally:
            self.lock.release()
        return new

    async def withdraw(self, amount):
        _valid(amount)
        await self.lock.acquire()
        try:
            old = await self.store.read()
            if amount > old:
                raise ValueError(f"account {self.name} has only {old}, not {amount}")
            await self.store.write(old - amount)
        finally:
            self.lock.release()
        return old - amount


async def transfer(source, target, amount):
    _valid(amount)
    if source is target:
        raise ValueError(f"account {source.name} cannot pay itself")
    ordered = sorted([source, target], key=lambda a: a.name, reverse=True)  # one global order
    held = []
    try:
        for account in ordered:
            await account.lock.acquire()
            held.append(account)
        have, gets = await asyncio.gather(source.store.read(), target.store.read())
        if amount > have:
            raise ValueError(f"account {source.name} has only {have}, not {amount}")
        writes = asyncio.gather(source.store.write(have - amount),
                                target.store.write(gets + amount))
        try:
            await asyncio.shield(writes)
        except asyncio.CancelledError:
            await writes  # both writes finish, locks still held; then the cancellation goes on
            raise
    finally:
        for account in reversed(held):
            account.lock.release()


async def run_when_ready(jobs, ready):
    started = []
    try:
        await ready.wait()
        started = [asyncio.ensure_future(job()) for job in jobs]
        if started:
            await asyncio.wait(started)
        return [task.result() for task in started]
    except asyncio.CancelledError:
        for task in started:
            task.cancel()
        if started:
            await asyncio.wait(started)
        raise


class SingleFlight:
    def __init__(self, ttl=0.0):
        if type(ttl) not in (int, float):
            raise TypeError(f"ttl {ttl!r} is not a number of seconds")
        if ttl < 0 or not math.isfinite(ttl):
            raise ValueError(f"ttl {ttl!r} is below 0 or not finite")
        self.ttl = ttl
        self._flights = {}  # key -> (task, event set when it ends)
        self._fresh = {}  # key -> (value, loop time it expires)

    async def _load(self, key, loader, ended):
        try:
            value = await loader(key)
            if self.ttl > 0:
                self._fresh[key] = (value, asyncio.get_running_loop().time() + self.ttl)
            return value
        finally:
            del self._flights[key]
            ended.set()

    async def get(self, key, loader):
        loop = asyncio.get_running_loop()
        if key in self._fresh:
            value, expires = self._fresh[key]
            if loop.time() < expires:
                return value
            del self._fresh[key]
        if key not in self._flights:
            ended = asyncio.Event()
            task = loop.create_task(self._load(key, loader, ended))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # seen by someone
            self._flights[key] = (task, ended)
        task, ended = self._flights[key]
        await ended.wait()
        return task.result()
