"""Kata 07: rate limiting.

An API allows 10 requests per second; a crawler must not hammer a site. A rate
limiter makes callers wait so that no more than `rate` of them pass in any
`per` seconds. Time here is the event loop's: ``asyncio.get_running_loop().time()``.

Read README.md for the tasks, run ``./tox -e kata7`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections import deque  # noqa: F401  (handy for remembering recent times)


class RateLimiter:
    """At most `rate` acquisitions in any `per` seconds of loop time.

    Use it as ``async with limiter:`` or ``await limiter.acquire()``.

    The window slides: an acquisition that passed at loop time ``t`` counts
    until ``t + per``. An acquisition passes at once if fewer than `rate`
    passed in the last `per` seconds (and nobody is waiting before it);
    otherwise it waits exactly until the oldest of those leaves the window. So,
    from idle, a burst of up to `rate` passes at once, and a steady stream
    passes at the full rate, never slower. Any `rate` from 1 up and any finite
    `per` above 0 (seconds, an int or a float) work. The limiter is no lock:
    `rate` blocks of ``async with limiter:`` that take a while are inside
    together.

    Waiters pass first come, first served: none passes before one that called
    ``acquire()`` earlier, even when their waits end at the same loop instant.
    A waiter cancelled while waiting (even woken, but not yet run) takes no slot
    and does not hold up the others; its ``acquire()`` raises CancelledError.

    ``async with limiter as x`` acquires on entering and gives the limiter;
    leaving gives nothing back (the acquisition still counts) and lets any
    exception through.

    Raises TypeError when `rate` is not an int or `per` not an int or float (a
    bool is neither), and ValueError when `rate` is below 1 or `per` is not
    above 0, NaN, or infinite (``per=math.inf`` would let `rate` pass and then
    no one, ever); the message names the argument and its value.
    """

    def __init__(self, rate: int, per: float = 1.0) -> None:
        raise NotImplementedError("TODO: tasks 1 and 5, set up the limiter, check its arguments")

    async def acquire(self) -> None:
        """Wait until one more acquisition fits in the window, then take it."""
        raise NotImplementedError("TODO: tasks 1 to 4, wait for a slot in the window")

    async def __aenter__(self) -> RateLimiter:
        """Acquire, and give the limiter itself (``async with limiter as x``)."""
        raise NotImplementedError("TODO: task 2, acquire on entering")

    async def __aexit__(self, *exc_info: object) -> None:
        """Nothing to give back: the acquisition still counts; exceptions go through."""
        raise NotImplementedError("TODO: task 2, nothing to give back on leaving")
