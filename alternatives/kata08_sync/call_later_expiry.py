"""Correct, in another style: manual acquire/release, a single gate task, futures per key and
call_later to forget a value when its ttl is over."""

import asyncio
import functools
import operator


class Store:
    def __init__(self, value, latency):
        self.value, self.latency = value, latency

    async def read(self):
        await asyncio.sleep(self.latency)
        return self.value

    async def write(self, value):
        await asyncio.sleep(self.latency)
        self.value = value


def check(amount):
    if type(amount) is not int:
        raise TypeError(f"bad amount {amount!r}: an int is needed")
    if amount < 1:
        raise ValueError(f"bad amount {amount!r}: must be at least 1")


class Account:
    def __init__(self, name, store):
        self.name, self.store = name, store
        self.lock = asyncio.Lock()

    async def deposit(self, amount):
        check(amount)
        await self.lock.acquire()
        try:
            balance = operator.add(await self.store.read(), amount)
            await self.store.write(balance)
        finally:
            self.lock.release()
        return balance

    async def withdraw(self, amount):
        check(amount)
        await self.lock.acquire()
        try:
            balance = await self.store.read()
            if balance - amount < 0:
                raise ValueError(f"{self.name}: balance {balance} too low for {amount}")
            await self.store.write(balance - amount)
        finally:
            self.lock.release()
        return balance - amount


async def transfer(source, target, amount):
    check(amount)
    if source is target:
        raise ValueError(f"{source.name} -> {source.name}: same account")
    order = [source, target] if source.name < target.name else [target, source]
    await order[0].lock.acquire()
    try:
        await order[1].lock.acquire()
        try:
            have = await source.store.read()
            if have < amount:
                raise ValueError(f"{source.name}: balance {have} too low for {amount}")
            have_target = await target.store.read()
            await source.store.write(have - amount)
            try:
                await target.store.write(have_target + amount)
            except BaseException:  # cancelled after the debit: undo it before going on
                await source.store.write(have)
                raise
        finally:
            order[1].lock.release()
    finally:
        order[0].lock.release()


async def run_when_ready(jobs, ready):
    gate = asyncio.ensure_future(ready.wait())

    async def after_gate(job):
        await asyncio.shield(gate)
        return await job()

    runs = [asyncio.ensure_future(after_gate(job)) for job in jobs]
    try:
        return list(await asyncio.gather(*runs))
    finally:  # a cancelled gather has cancelled the runs, but returns before their clean-up
        gate.cancel()
        if runs:
            await asyncio.wait(runs)


class SingleFlight:
    def __init__(self, ttl=0.0):
        if type(ttl) not in (int, float):
            raise TypeError(f"ttl: {ttl!r} is not int or float")
        if not ttl >= 0 or ttl == float("inf"):  # NaN is not >= 0
            raise ValueError(f"ttl: {ttl!r} is not a finite number >= 0")
        self.ttl = ttl
        self.inflight = {}
        self.values = {}

    def _done(self, key, future):
        del self.inflight[key]
        if future.cancelled() or future.exception() is not None:
            return
        if self.ttl > 0:
            self.values[key] = future.result()
            asyncio.get_running_loop().call_later(
                self.ttl, functools.partial(self.values.pop, key, None))

    async def get(self, key, loader):
        if key in self.values:
            return self.values[key]
        future = self.inflight.get(key)
        if future is None:
            future = self.inflight[key] = asyncio.ensure_future(loader(key))
            future.add_done_callback(functools.partial(self._done, key))
        return await asyncio.shield(future)
