"""Kata 05: bounded concurrency with a Semaphore.

Running every job at once is fine for three jobs and a disaster for three
thousand: a server, a database or an API rate limit will not take it. A pool
runs many jobs with a bounded number in flight. A *job* is a zero-argument
async callable, as in kata 01.

Read README.md for the tasks, run ``./tox -e kata5`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Job = Callable[[], Awaitable[Any]]


async def run_tasks(jobs: Iterable[Job], limit: int, *,
                    return_exceptions: bool = False) -> list[Any]:
    """Run `jobs` with at most `limit` of them in flight at once; results in input order.

    Jobs start in input order. A job is called (its coroutine created) only
    when it gets a slot, and the next job starts the moment any slot frees:
    not in fixed batches of `limit`. An empty input gives ``[]``.

    With ``return_exceptions=True`` an Exception raised by a job takes the job's place in
    the results and the others go on. Otherwise the first Exception propagates (itself,
    not an ExceptionGroup): no further job starts, and the jobs in flight are cancelled
    and have finished their clean-up by then. A slot is freed whenever a job ends, however
    it ends, once: the bound holds for the whole run, after any number of failures and
    however slow a job. Cancelling the call cancels the jobs in flight, whatever
    `return_exceptions` says, and they have finished their clean-up when the cancellation
    (the caller's own, its message kept) reaches the caller. A job is cancelled once, and
    its clean-up runs to its end. A job that ends cancelled (raises CancelledError itself)
    is no result either: it stops the pool at that moment, as a failure does, and the call
    raises CancelledError, with no job left running.

    `jobs` is any iterable (a one-pass generator too); a job is any zero-argument
    callable returning an awaitable (an awaitable itself is no job), and a job listed twice
    is called twice, each place in the results holding what its own call returned.

    Raises, before any job is called: TypeError when `limit` is not an int
    (naming `limit` and its value), when `jobs` is not an iterable (naming it)
    or a job is not callable; ValueError when `limit` is below 1 (naming
    `limit` and its value).
    """
    raise NotImplementedError("TODO: tasks 1 to 5, a bounded pool of jobs")
