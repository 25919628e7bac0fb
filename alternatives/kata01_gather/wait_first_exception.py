"""Correct, in another style: asyncio.wait(FIRST_EXCEPTION), explicit cancel-and-drain."""

import asyncio
from collections import namedtuple
from collections.abc import Awaitable

Timed = namedtuple("Timed", "result seconds")


class Comparison(namedtuple("Comparison", "sequential_s concurrent_s speedup")):
    __slots__ = ()

    def __str__(self):
        return (f"ran one by one in {self.sequential_s:.3f}s and all at once in "
                f"{self.concurrent_s:.3f}s: {self.speedup:.2f} times faster")


def _materialise(jobs):
    if not hasattr(jobs, "__iter__") or isinstance(jobs, str | bytes | Awaitable):
        raise TypeError(f"{jobs!r} is not iterable")
    items = []
    iterator = iter(jobs)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return items
        if not callable(item):
            raise TypeError(f"{item!r} is not a job: pass the async function itself")
        items.append(item)


async def run_sequentially(jobs):
    out = []
    iterator = iter(_materialise(jobs))
    for job in iterator:
        out.append(await job())
    return out


async def _drain(tasks):
    for task in tasks:
        task.cancel()
    while tasks:
        try:
            await asyncio.wait(tasks)
            for task in tasks:  # a clean-up's error is not reported, but it is retrieved
                task.cancelled() or task.exception()
            return
        except asyncio.CancelledError:
            continue  # keep waiting for the clean-up, then let the cancellation through


async def run_concurrently(jobs):
    tasks = [asyncio.ensure_future(job()) for job in _materialise(jobs)]
    if not tasks:
        return []
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except asyncio.CancelledError:
        await _drain(tasks)
        raise
    failed = [t for t in tasks if t in done and t.exception() is not None]
    if failed:
        await _drain(list(pending))
        raise failed[0].exception()
    return [t.result() for t in tasks]


async def timed(job):
    if not callable(job):
        raise TypeError(f"timed() needs a callable, got {job!r}")
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    value = await job()
    return Timed(value, loop.time() - t0)


async def compare(jobs):
    jobs = _materialise(jobs)
    seq = await timed(lambda: run_sequentially(jobs))
    con = await timed(lambda: run_concurrently(jobs))
    return Comparison(seq.seconds, con.seconds,
                      seq.seconds / con.seconds if con.seconds > 0 else 1.0)
