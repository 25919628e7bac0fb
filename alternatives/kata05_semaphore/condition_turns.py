"""Correct, in another style: a Condition guards a running count; each job waits for its turn.

A job's turn is its place in the input; it starts when its turn comes and a slot is free.
"""

import asyncio
from collections.abc import Iterable


class _EndedCancelled(Exception):
    """A job raised CancelledError itself, while nothing cancelled it: the pool stops."""


async def run_tasks(jobs, limit, *, return_exceptions=False):
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit={limit!r}: expected an int")
    if limit < 1:
        raise ValueError(f"limit={limit!r}: at least 1 is needed")
    if not isinstance(jobs, Iterable):
        raise TypeError(f"jobs={jobs!r}: expected an iterable")
    queue = list(jobs)
    if not all(map(callable, queue)):
        raise TypeError("every job must be callable")
    changed = asyncio.Condition()
    running = 0
    turn = 0
    stopped = False
    caller = asyncio.current_task()

    async def take_turn(position, job):
        nonlocal running, turn, stopped
        async with changed:
            await changed.wait_for(lambda: turn == position and running < limit)
            turn += 1
            changed.notify_all()
            if stopped:
                return None
            running += 1
        try:
            return await job()
        except Exception as error:
            if return_exceptions:
                return error
            stopped = True
            raise
        except asyncio.CancelledError:
            if stopped or caller.cancelling():  # the pool is stopping: this is its cancel
                raise
            stopped = True  # the job ended cancelled by itself: stop the pool, as a failure
            raise _EndedCancelled from None
        finally:
            async with changed:
                running -= 1
                changed.notify_all()

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(take_turn(i, job)) for i, job in enumerate(queue)]
    except BaseExceptionGroup as group_error:
        if isinstance(group_error.exceptions[0], _EndedCancelled):
            raise asyncio.CancelledError from None
        raise group_error.exceptions[0] from None
    return [task.result() for task in tasks]
