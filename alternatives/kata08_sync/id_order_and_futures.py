"""Correct, in another style: lock order by id(), futures resolved by hand for single flight."""

import asyncio
import functools
import math


class Store:
    def __init__(self, value, latency):
        self.value, self.latency = value, latency

    async def read(self):
        await asyncio.sleep(self.latency)
        return self.value

    async def write(self, value):
        await asyncio.sleep(self.latency)
        self.value = value


def _amount(amount):
    if type(amount) is not int:
        raise TypeError(f"amount {amount!r} is not an int")
    if amount < 1:
        raise ValueError(f"amount {amount!r} is not positive")


class Account:
    def __init__(self, name, store):
        self.name, self.store, self.lock = name, store, asyncio.Lock()

    async def _change(self, delta):
        balance = await self.store.read()
        if balance + delta < 0:
            raise ValueError(f"insufficient funds in {self.name}: {balance}")
        await self.store.write(balance + delta)
        return balance + delta

    async def deposit(self, amount):
        _amount(amount)
        async with self.lock:
            return await self._change(amount)

    async def withdraw(self, amount):
        _amount(amount)
        async with self.lock:
            return await self._change(-amount)


async def transfer(source, target, amount):
    _amount(amount)
    if source is target:
        raise ValueError(f"{source.name} cannot pay itself")
    low, high = sorted((source, target), key=id)
    async with low.lock, high.lock:
        await source._change(-amount)
        try:
            await target._change(amount)
        except asyncio.CancelledError:
            await source._change(amount)  # pay the debit back before the cancellation goes on
            raise


async def run_when_ready(jobs, ready):
    async def gated(job):
        await ready.wait()
        return await job()

    runs = [asyncio.ensure_future(gated(job)) for job in jobs]
    try:
        if runs:
            await asyncio.wait(runs)  # cancelled, asyncio.wait leaves the runs alone ...
    finally:
        for run in runs:  # ... so cancel them all at that moment, and await their clean-up
            run.cancel()
        if runs:
            await asyncio.wait(runs)
    return [run.result() for run in runs]


class SingleFlight:
    def __init__(self, ttl=0.0):
        if type(ttl) not in (int, float):
            raise TypeError(f"ttl={ttl!r} is not a number")
        if ttl < 0 or ttl != ttl or ttl in (math.inf, -math.inf):
            raise ValueError(f"ttl={ttl!r} is negative or not a finite number")
        self.ttl = ttl
        self.pending = {}
        self.cached = {}
        self.loading = set()

    async def get(self, key, loader):
        loop = asyncio.get_running_loop()
        if key in self.cached and loop.time() < self.cached[key][1] + self.ttl:
            return self.cached[key][0]
        if key not in self.pending:
            self.pending[key] = loop.create_future()
            task = loop.create_task(self._load(key, loader))
            self.loading.add(task)
            task.add_done_callback(self.loading.discard)
            task.add_done_callback(functools.partial(self._settle, key))
        return await asyncio.shield(self.pending[key])

    async def _load(self, key, loader):
        return await loader(key)

    def _settle(self, key, load):
        """Resolve the waiters' future by hand, from however the load ended."""
        future = self.pending.pop(key)
        if load.cancelled():
            future.cancel()  # a load that ends cancelled ends its waiters so
        elif load.exception() is not None:
            future.set_exception(load.exception())
        else:
            self.cached[key] = (load.result(), load.get_loop().time())
            future.set_result(load.result())
