"""On cancellation, cancels the jobs in flight but returns at once, before their clean-up has run."""

import asyncio


def _check(jobs, limit):
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, got {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    try:
        jobs = list(jobs)
    except TypeError:
        raise TypeError(f"jobs must be iterable, got {jobs!r}") from None
    for job in jobs:
        if not callable(job):
            raise TypeError(f"not a callable job: {job!r}")
    return jobs


async def run_tasks(jobs, limit, *, return_exceptions=False):
    checked = _check(jobs, limit)

    slots = asyncio.Semaphore(limit)
    failing = asyncio.Event()

    async def in_slot(job):
        async with slots:
            if failing.is_set():
                return None
            try:
                return await job()
            except Exception as error:
                if return_exceptions:
                    return error
                failing.set()
                raise

    tasks = [asyncio.ensure_future(in_slot(job)) for job in checked]
    pending = set(tasks)
    try:
        while pending:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
            failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception()]
            if failed:
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.wait(pending)
                raise failed[0].exception()
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()  # they will stop soon enough
        raise
    return [task.result() for task in tasks]
