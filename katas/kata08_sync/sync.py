"""Kata 08: events, locks, race conditions and deadlocks.

asyncio runs one task at a time, so code between two ``await``s is never
interrupted. Code *across* an ``await`` is: another task may run in between.
Read a value, ``await`` something, write it back, and a concurrent update
in between is lost. Here every read and write of a balance goes to a `Store`
and takes loop time, just like a database round trip.

Read README.md for the tasks, run ``./tox -e kata8`` to see what is left to do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any


class Store:
    """A remote value: every read and write is a round trip of `latency` seconds.

    Given, not part of the exercise: the spec hands you its own stores.
    """

    def __init__(self, value: int, latency: float) -> None:
        self.value = value
        self.latency = latency

    async def read(self) -> int:
        await asyncio.sleep(self.latency)
        return self.value

    async def write(self, value: int) -> None:
        await asyncio.sleep(self.latency)
        self.value = value


class Account:
    """A balance kept in a `Store` (read and write it only through the store).

    `lock` is the account's ``asyncio.Lock``: hold it across each read-modify-write,
    and let go of it however the change ends (refused or cancelled: nothing changes).
    Amounts are positive ints: TypeError for a non-int (bools included),
    ValueError for zero or less, naming the value.
    """

    def __init__(self, name: str, store: Store) -> None:
        self.name = name
        self.store = store
        self.lock = asyncio.Lock()

    async def deposit(self, amount: int) -> int:
        """Add `amount` to the balance; return the new balance. No update is ever lost."""
        raise NotImplementedError("TODO: tasks 1 and 5, deposit without losing updates")

    async def withdraw(self, amount: int) -> int:
        """Take `amount` out; return the new balance.

        ValueError (naming the account) when the balance is smaller than `amount`;
        then nothing changes.
        """
        raise NotImplementedError("TODO: tasks 1 and 5, withdraw without losing updates")


async def transfer(source: Account, target: Account, amount: int) -> None:
    """Move `amount` from `source` to `target`, as one atomic change of both balances.

    Holds both accounts' locks from the first read to the last write. Two transfers
    in opposite directions at the same time must both complete: take the locks in one
    global order (by name), never "source first". ValueError naming the account when
    `source` holds less than `amount` (nothing moves) or when `source` is `target`;
    amounts as in `Account`. Lets go of both locks however it ends (refused: nothing
    moves). Cancelled at any point, it moves the whole amount or nothing, never the debit
    without the credit, and its last write is done when the cancellation reaches the
    caller: a cancellation between the debit and the credit takes the debit back (or
    lets the credit finish) before it goes on.
    """
    raise NotImplementedError("TODO: tasks 4 and 5, transfer without deadlocks")


async def run_when_ready(jobs: Iterable[Callable[[], Awaitable[Any]]],
                         ready: asyncio.Event) -> list[Any]:
    """Start every job at once, but only when `ready` is set; results in input order.

    No job is called before the event is set; the moment it is set (even if it is
    cleared again right after), every job is called and they all run concurrently.
    Returns when the last job is done. Cancelling it, before or after the event is
    set, cancels the jobs and leaves no task running: the jobs have finished their
    clean-up when the cancellation reaches the caller.
    """
    raise NotImplementedError("TODO: task 2, a start gate")


class SingleFlight:
    """Coalesces concurrent loads of the same key into one call of the loader.

    ``await flight.get(key, loader)``: if a load of `key` is in flight, wait for
    it; otherwise call ``loader(key)``. Every waiter gets the same value, or the
    same exception. A failed load is not remembered: the next get tries again.
    A successful value is reused for `ttl` seconds of loop time after it loaded
    (0: only by the gets that joined the load). Loads of different keys run
    concurrently. A waiter that is cancelled raises CancelledError, and the load goes
    on for the others. A load that ends cancelled (the loader raises CancelledError)
    ends every waiter with CancelledError, and is not remembered either. TypeError
    for a non-numeric `ttl` (a bool too), ValueError for a negative one or one that is
    not finite (NaN, infinity), naming the value.
    """

    def __init__(self, ttl: float = 0.0) -> None:
        raise NotImplementedError("TODO: tasks 3 and 5, set up the single flight")

    async def get(self, key: Hashable, loader: Callable[[Hashable], Awaitable[Any]]) -> Any:
        """The value for `key`, loading it at most once at a time."""
        raise NotImplementedError("TODO: task 3, coalesce the loads")
