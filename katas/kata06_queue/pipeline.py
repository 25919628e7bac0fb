"""Kata 06: producer / consumer with asyncio.Queue.

A pipeline decouples the code that finds work (a producer) from the code that
does it (consumers, or workers), with a queue between them. A *bounded* queue
adds back-pressure: when the workers fall behind, the producer waits instead
of piling up work in memory.

Read README.md for the tasks, run ``tox -e kata6`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


async def pipeline(items: Iterable[Any], handle: Callable[[Any], Awaitable[Any]], *,
                   workers: int = 4, maxsize: int = 10) -> list[Any]:
    """Process every item with ``await handle(item)``; return the results in input order.

    One producer task takes items from `items` (lazily: it may be a generator)
    and puts them into an ``asyncio.Queue(maxsize)``; `workers` consumer tasks
    take them out and handle them, so at most `workers` items are handled at
    once. Every item is handled exactly once. The producer never runs more
    than `maxsize` items ahead of the workers (one more may wait in ``put``).

    When every item is done, every task the pipeline started has ended. If
    `handle` or the producer raises, that exception (itself, not a group)
    propagates at once: the pipeline must not hang waiting for work that will
    never be done, and every other task is cancelled first.

    Raises TypeError when `items` is not iterable, `handle` not callable, or
    `workers`/`maxsize` not an int; ValueError when `workers` or `maxsize` is
    below 1. Messages name the argument and its value.
    """
    raise NotImplementedError("TODO: tasks 1 to 5, a producer, a queue and workers")
