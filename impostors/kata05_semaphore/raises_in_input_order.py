"""Reports the error of the earliest job in input order: an error raised in a clean-up beats the first one."""


import asyncio


def _validated(jobs, limit):
    if type(limit) is not int:
        raise TypeError(f"limit must be an int, not {limit!r}")
    if limit < 1:
        raise ValueError(f"limit must be 1 or more, not {limit!r}")
    try:
        listed = list(jobs)
    except TypeError:
        raise TypeError(f"expected an iterable of jobs, got {jobs!r}") from None
    for position, job in enumerate(listed):
        if not callable(job):
            raise TypeError(f"jobs[{position}] is {job!r}, which cannot be called")
    return listed


async def run_tasks(jobs, limit, *, return_exceptions=False):
    listed = _validated(jobs, limit)
    results = [None] * len(listed)
    running = {}  # task -> its position in the input
    upcoming = 0
    try:
        while upcoming < len(listed) or running:
            while upcoming < len(listed) and len(running) < limit:
                running[asyncio.ensure_future(listed[upcoming]())] = upcoming
                upcoming += 1
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(finished, key=running.__getitem__):
                position = running.pop(task)
                error = task.exception()
                if error is None:
                    results[position] = task.result()
                elif return_exceptions and isinstance(error, Exception):
                    results[position] = error
                else:
                    raise error
    except BaseException:
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)  # their clean-up, before the error leaves
        for task in sorted(running, key=running.__getitem__):  # the earliest job's error
            if not task.cancelled() and task.exception() is not None:
                raise task.exception() from None
        raise
    return results
