"""Kata 05: bounded concurrency with a Semaphore (reference solution)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

Job = Callable[[], Awaitable[Any]]


class _EndedCancelled(Exception):
    """A job raised CancelledError although nothing cancelled it: the pool stops, as it fails."""


def _checked(jobs: Iterable[Job], limit: int) -> list[Job]:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    if not isinstance(jobs, Iterable):
        raise TypeError(f"jobs must be an iterable of async callables, got {jobs!r}")
    checked = list(jobs)
    for index, job in enumerate(checked):
        if not callable(job):
            raise TypeError(f"job {index} must be an async callable, got {job!r}")
    return checked


async def run_tasks(jobs: Iterable[Job], limit: int, *,
                    return_exceptions: bool = False) -> list[Any]:
    """Run `jobs` with at most `limit` in flight at once; results in input order.

    A job is called only when it gets a slot, and the next one starts the
    moment a slot frees. With `return_exceptions`, an Exception a job raises
    takes its place among the results; otherwise the first one propagates, no
    further job starts, and the jobs in flight are cancelled and awaited.
    Cancelling the call cancels the jobs in flight and awaits their clean-up.
    A job that ends cancelled is never a result: it stops the pool at that moment, as a
    failure does, and the call raises CancelledError.
    """
    checked = _checked(jobs, limit)
    slots = asyncio.Semaphore(limit)
    failing = asyncio.Event()
    caller = asyncio.current_task()

    async def in_slot(job: Job) -> Any:
        async with slots:
            if failing.is_set():  # the slot came free because a job failed: start nothing new
                return
            try:
                return await job()
            except Exception as error:
                if return_exceptions:
                    return error
                failing.set()  # before the slot is released, so no waiter starts a job
                raise
            except asyncio.CancelledError:
                if failing.is_set() or caller.cancelling():  # stopped: by a failure, or the caller
                    raise
                failing.set()  # the job ended cancelled by itself: a failure, which a
                raise _EndedCancelled from None  # TaskGroup sees (it ignores a cancelled task)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(in_slot(job)) for job in checked]
    except BaseExceptionGroup as failures:
        if isinstance(failures.exceptions[0], _EndedCancelled):
            raise asyncio.CancelledError from None
        raise failures.exceptions[0] from None
    return [task.result() for task in tasks]
