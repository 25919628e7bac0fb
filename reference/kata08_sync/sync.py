"""Kata 08: events, locks, race conditions and deadlocks (reference solution)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any


class Store:  # pragma: no mutate block (given code: the spec brings its own instrumented Store)
    """A remote value: every read and write is a round trip of `latency` seconds."""

    def __init__(self, value: int, latency: float) -> None:
        self.value = value
        self.latency = latency

    async def read(self) -> int:
        await asyncio.sleep(self.latency)
        return self.value

    async def write(self, value: int) -> None:
        await asyncio.sleep(self.latency)
        self.value = value


def _check_amount(amount: object) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int, got {amount!r}")
    if amount <= 0:
        raise ValueError(f"amount must be positive, got {amount!r}")


class Account:
    """A balance kept in a `Store`; its lock makes each change atomic (and is let go
    however the change ends)."""

    def __init__(self, name: str, store: Store) -> None:
        self.name = name
        self.store = store
        self.lock = asyncio.Lock()

    async def deposit(self, amount: int) -> int:
        """Add `amount`; the new balance."""
        _check_amount(amount)
        async with self.lock:
            balance = await self.store.read() + amount
            await self.store.write(balance)
            return balance

    async def withdraw(self, amount: int) -> int:
        """Take `amount` out; the new balance. ValueError if the balance is short."""
        _check_amount(amount)
        async with self.lock:
            balance = await self.store.read()
            if balance < amount:
                raise ValueError(f"{self.name} holds {balance}, cannot withdraw {amount}")
            await self.store.write(balance - amount)
            return balance - amount


async def transfer(source: Account, target: Account, amount: int) -> None:
    """Move `amount` from `source` to `target` atomically, without risking a deadlock.

    ValueError naming the account for an overdraft (nothing moves) or a transfer to itself.
    Both locks are let go however it ends. Cancelled, it moves all of the amount or none
    of it: a cancellation between the debit and the credit takes the debit back.
    """
    _check_amount(amount)
    if source is target:
        raise ValueError(f"cannot transfer from {source.name} to itself")
    first, second = sorted((source, target), key=lambda account: account.name)
    async with first.lock, second.lock:  # one global order: no two transfers wait in a cycle
        balance = await source.store.read()
        if balance < amount:
            raise ValueError(f"{source.name} holds {balance}, cannot transfer {amount}")
        credited = await target.store.read() + amount
        await source.store.write(balance - amount)
        try:
            await target.store.write(credited)
        except asyncio.CancelledError:  # the debit is written, the credit is not
            await source.store.write(balance)  # take the debit back: nothing moves
            raise


async def run_when_ready(jobs: Iterable[Callable[[], Awaitable[Any]]],
                         ready: asyncio.Event) -> list[Any]:
    """Start every job together the moment `ready` is set (none is called before); results
    in input order, once the last job is done. Cancelled, it cancels the jobs and awaits
    their clean-up."""
    async def gated(job: Callable[[], Awaitable[Any]]) -> Any:
        await ready.wait()
        return await job()

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(gated(job)) for job in jobs]
    return [task.result() for task in tasks]


class SingleFlight:
    """Coalesces concurrent loads of the same key into one call of the loader.

    A cancelled waiter raises CancelledError; the load goes on for the others. A load
    that ends cancelled ends its waiters with CancelledError, and is not remembered.
    """

    def __init__(self, ttl: float = 0.0) -> None:
        if isinstance(ttl, bool) or not isinstance(ttl, int | float):
            raise TypeError(f"ttl must be a number of seconds, got {ttl!r}")
        if not 0 <= ttl < math.inf:  # NaN fails every comparison
            raise ValueError(f"ttl must be a finite number of seconds, not negative, got {ttl!r}")
        self.ttl = ttl
        self._loads: dict[Hashable, asyncio.Future[Any]] = {}
        self._loaded_at: dict[Hashable, float] = {}

    async def get(self, key: Hashable, loader: Callable[[Hashable], Awaitable[Any]]) -> Any:
        """The value for `key`: joins a load in flight, or a fresh result, or loads it."""
        loop = asyncio.get_running_loop()
        load = self._loads.get(key)
        if load is None or (load.done() and loop.time() >= self._loaded_at[key] + self.ttl):
            load = asyncio.ensure_future(loader(key))
            load.add_done_callback(lambda done: self._settled(key, done))
            self._loads[key] = load
        return await asyncio.shield(load)  # one waiter's cancel must not cancel the others'

    def _settled(self, key: Hashable, load: asyncio.Future[Any]) -> None:
        if load.cancelled() or load.exception() is not None:
            del self._loads[key]  # a failure is delivered to the waiters, never cached
        else:
            self._loaded_at[key] = load.get_loop().time()
