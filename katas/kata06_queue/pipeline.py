"""Kata 06: producer / consumer with asyncio.Queue.

A pipeline decouples the code that finds work (a producer) from the code that
does it (consumers, or workers), with a queue between them. A *bounded* queue
adds back-pressure: when the workers fall behind, the producer waits instead
of piling up work in memory.

Read README.md for the tasks, run ``./tox -e kata6`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


async def pipeline(items: Iterable[Any], handle: Callable[[Any], Awaitable[Any]], *,
                   workers: int = 4, maxsize: int = 10) -> list[Any]:
    """Process every item with ``await handle(item)``; return the results in input order.

    Every item is handled exactly once, whatever it is (``None``, ``0``, an
    unhashable list, the same object twice), and each result is exactly what
    `handle` returned for it; no items give ``[]``. `handle` is any callable
    that returns an awaitable (an ``async def``, a ``functools.partial``, an
    object with ``__call__``, a lambda). Results are kept per position: an item
    listed twice gets, in each place, what that call of `handle` returned.

    One producer task takes items from `items` (lazily: it may be a generator)
    and puts them into an ``asyncio.Queue(maxsize)``; `workers` consumer tasks
    take them out and handle them, so at most `workers` items are handled at
    once, and an item is handed to `handle` the moment a worker is free, in
    input order. The producer never runs more than `maxsize` items ahead of the
    workers (items pulled but not yet handed to `handle`: at most `maxsize`,
    plus one waiting in ``put``), and keeps the queue filled: it pulls the next
    item no later than the moment the queue has room. Both bounds hold for the
    whole run, however slow an item.

    When `pipeline` returns, every task it started has ended. If `handle` or the producer
    (iterating `items`) raises, that exception (itself, not a group) propagates at once:
    every other task is cancelled, and the exception reaches the caller as soon as they
    have all ended (clean-up included); the pipeline must not hang waiting for work that
    will never be done. Each task is cancelled once, and its clean-up runs to its end.
    Cancelling `pipeline` cancels its tasks the same way, and the cancellation propagates
    (the caller's own, its message kept). A `handle` that ends cancelled (it raises
    ``CancelledError`` itself while nothing cancelled the pipeline) is a failure too: the
    other tasks are cancelled the same way and `pipeline` raises ``CancelledError``, never
    returning without that item's result. So is a `handle` that cancels the task it runs
    in (``asyncio.current_task().cancel()``).

    Raises TypeError when `items` is not iterable, `handle` not callable, or
    `workers`/`maxsize` not an int (a bool, ``2.0``, ``nan``, ``inf`` are no
    counts), or `handle` is an awaitable (not callable); ValueError when
    `workers` or `maxsize` is below 1; before any item is pulled. Messages name
    the argument and its value.
    """
    raise NotImplementedError("TODO: tasks 1 to 4, a producer, a queue and workers")
