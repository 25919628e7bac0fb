"""Kata 09: structured concurrency and resource clean-up.

Structured concurrency means no task outlives the block that started it, and
no resource outlives the code that opened it, whatever happens: success, an
error, a cancellation, a consumer that stops early.

Read README.md for the tasks, run ``./tox -e kata9`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
import contextlib  # noqa: F401  (asynccontextmanager, aclosing)
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any


async def run_group(jobs: Iterable[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run the jobs concurrently in one ``asyncio.TaskGroup``; results in input order.

    If a job fails, the others are cancelled and have run their clean-up before
    the caller hears of it, and the caller gets the TaskGroup's
    ``ExceptionGroup``, as it is: it holds the exception of every job that
    failed. (Kata 01 unwrapped the first error; here the group is the answer.)
    Cancelling the caller cancels every job and, once they have run their clean-up,
    raises CancelledError. Each job is cancelled once, and its clean-up runs to its
    end: cancelling the caller again while the jobs clean up cuts no clean-up short.
    TypeError naming a job that is not callable (a coroutine object such as ``job()``
    too, and every item of a str), before any job is called.
    """
    raise NotImplementedError("TODO: tasks 1 and 6, a task group")


class Pool:
    """At most `size` connections made by ``await factory()``, reused.

    ``async with pool.acquire() as connection:`` lends a connection: an idle
    one, or a new one while fewer than `size` exist; otherwise it waits for one
    to come back (first come, first served). The connection comes back when the
    block ends, however it ends (success, error, cancellation). If ``await factory()``
    fails, the ``async with`` raises its error and the place is free again: a task
    waiting for a connection goes on to make one.
    ``await pool.close()`` (or leaving ``async with Pool(...) as pool:``) closes
    every idle connection (``await connection.close()``) and the lent ones as
    they come back; ``closed`` is then True and acquire raises RuntimeError, also
    while close() is still at work, and also for an acquire that began before close()
    and got its new connection after it: that connection is closed, then the
    RuntimeError comes out.
    A block's own exception passes through the ``async with``. TypeError for a
    `factory` that is not callable (a coroutine object such as ``connect()`` too) or
    a `size` not an int (bools and floats included),
    ValueError for a `size` below 1, naming the value.
    """

    def __init__(self, factory: Callable[[], Awaitable[Any]], size: int) -> None:
        raise NotImplementedError("TODO: tasks 2 and 6, set up the pool")

    def acquire(self) -> AbstractAsyncContextManager[Any]:
        """Lend a connection for the ``async with`` block."""
        raise NotImplementedError("TODO: task 2, lend connections")

    async def close(self) -> None:
        """Close the idle connections now (done when it returns), the lent ones when
        they come back."""
        raise NotImplementedError("TODO: task 3, close the pool")

    async def __aenter__(self) -> Pool:
        raise NotImplementedError("TODO: task 3, the pool as a context manager")

    async def __aexit__(self, *exc_info: object) -> None:
        raise NotImplementedError("TODO: task 3, close on leaving")


async def stream(open_source: Callable[[], AbstractAsyncContextManager[Any]]) -> AsyncIterator[Any]:
    """An async generator: open ``async with open_source() as source:`` and yield every
    item ``await source.read()`` gives (falsy ones too), until it gives None. It reads
    one item each time the consumer asks for one, and opens the source only then.

    The source is closed however the iteration ends: exhausted, or closed early
    (``await gen.aclose()``, which a consumer that breaks out should call).
    """
    raise NotImplementedError("TODO: task 4, stream from a source")
    yield  # makes this an async generator


async def take(items: AsyncIterator[Any], n: int) -> list[Any]:
    """The first `n` items of the async iterator `items` (fewer if it ends sooner).

    Reads no more than `n` items, and closes `items` (``aclose``) before
    returning or raising (an error of `items` or a cancellation passes through).
    TypeError for a non-int `n` (bools included), ValueError for a negative one,
    naming the value.
    """
    raise NotImplementedError("TODO: tasks 5 and 6, take a few and close")
