"""Kata 04: timeouts and cancellation.

A timeout is a cancellation with a deadline. When asyncio cancels a task it
raises ``asyncio.CancelledError`` at the ``await`` the task is waiting on; the
task's ``finally`` blocks and ``async with`` exits then run, and the task ends.
Good async code lets that happen: it cleans up and lets the cancellation go on.

Read README.md for the tasks, run ``./tox -e kata4`` to see what is left to do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

T = TypeVar("T")
Stopped = Literal["idle", "finished", "cancelled"]


async def timeout_after(seconds: float | None, awaitable: Awaitable[T]) -> T:
    """Await `awaitable` and return its result, or raise TimeoutError after `seconds`.

    The deadline is in loop time. By the time TimeoutError reaches the caller,
    the work has been cancelled and its clean-up (``finally``, ``async with``)
    has run. An exception raised by the work propagates unchanged; a
    cancellation of the caller propagates as cancellation, never as
    TimeoutError (the work is cancelled at once too, and cleaned up before the
    cancellation reaches the caller). The work is cancelled once, and its
    clean-up runs to its end. Any awaitable works: a coroutine, a task, a
    Future. ``None`` or ``inf`` means no limit. Raises TypeError when `seconds`
    is not a number (a bool is not one) and ValueError when it is negative or
    NaN, naming it and its value; a coroutine that will not run is closed then.
    With good `seconds`, what cannot be awaited (an async function not called, a
    number, None) raises TypeError showing it, before any wait.
    """
    raise NotImplementedError("TODO: task 1, a deadline for any awaitable")


async def cancel_and_wait(task: asyncio.Future[Any]) -> bool:
    """Cancel `task`, wait until it is done, and return whether it ended cancelled.

    False means the task finished before the cancellation took effect (or
    ignored it); its result or exception stays in the task. If the caller
    itself is cancelled while waiting, that cancellation propagates. The task
    is cancelled once: its clean-up runs to its end.
    TypeError when `task` is not an asyncio Task or Future (a coroutine, or an
    async function, is not).
    """
    raise NotImplementedError("TODO: task 2, cancel a task and wait for it")


class Worker:
    """Handles queued items one at a time in a background task, and stops gracefully.

    ``handle(item)`` is awaited for each item (any object), in the order they
    were put, one at a time: each starts as soon as it is put and the item
    before it is done. `handle` is any callable returning an awaitable (a
    coroutine, a Future, an object with ``__await__``); a coroutine object or a
    Future is no handle.
    ``handled`` lists the items whose handling completed; ``failed`` lists
    ``(item, exception)`` for those that raised (the worker goes on).
    Usable as ``async with Worker(handle) as worker:`` (start, then stop; an
    exception raised in the block still propagates).
    TypeError when `handle` is not callable or `grace` not a number (a bool
    is not one); ValueError when `grace` is negative or NaN; messages name the
    bad value. ``grace=inf`` waits for the item in progress however long.
    """

    def __init__(self, handle: Callable[[Any], Awaitable[Any]], *, grace: float = 5.0) -> None:
        raise NotImplementedError("TODO: tasks 3 to 7, set up the worker")

    async def __aenter__(self) -> Worker:
        raise NotImplementedError("TODO: task 5, start on entering")

    async def __aexit__(self, *exc_info: object) -> None:
        raise NotImplementedError("TODO: task 5, stop on leaving")

    def start(self) -> None:
        """Start the background task. RuntimeError if it was started before."""
        raise NotImplementedError("TODO: task 3, start the background task")

    def put(self, item: Any) -> None:
        """Queue `item` for handling. RuntimeError unless the worker is running."""
        raise NotImplementedError("TODO: task 3, queue an item")

    async def stop(self) -> Stopped:
        """Stop the worker; return "idle", "finished" or "cancelled".

        No new item is started. The item in progress, if any, gets `grace`
        seconds of loop time to finish ("finished", and it counts as handled);
        after that it is cancelled, once, and its clean-up runs ("cancelled",
        even if the item ignores the cancellation and returns).
        "idle" when nothing was in progress. An item that fails within the
        grace is "finished" too, and goes to `failed`. Items still queued are
        dropped. When stop returns, no task of the worker is left running.
        A second stop() does nothing and returns "idle" at once, even one
        called while the first still waits. A cancellation of stop() itself
        propagates.
        RuntimeError if the worker was never started.
        """
        raise NotImplementedError("TODO: task 4, stop gracefully")
