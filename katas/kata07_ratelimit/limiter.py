"""Kata 07: rate limiting.

An API allows 10 requests per second; a crawler must not hammer a site. A rate
limiter makes callers wait so that no more than `rate` of them pass in any
`per` seconds. Time here is the event loop's: ``asyncio.get_running_loop().time()``.

Read README.md for the tasks, run ``tox -e kata7`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections import deque  # noqa: F401  (handy for remembering recent times)


class RateLimiter:
    """At most `rate` acquisitions in any `per` seconds of loop time.

    Use it as ``async with limiter:`` or ``await limiter.acquire()``.

    The window slides: an acquisition passes at once if fewer than `rate`
    passed in the last `per` seconds; otherwise it waits exactly until the
    oldest of those leaves the window. So, from idle, a burst of up to `rate`
    passes at once, and a steady stream passes at the full rate, never slower.
    Waiters pass first come, first served; a waiter cancelled while waiting
    takes no slot and does not hold up the others.

    Raises TypeError when `rate` is not an int or `per` not a number, and
    ValueError when `rate` is below 1 or `per` is not positive, naming the
    argument and its value.
    """

    def __init__(self, rate: int, per: float = 1.0) -> None:
        raise NotImplementedError("TODO: task 1, set up the limiter")

    async def acquire(self) -> None:
        """Wait until one more acquisition fits in the window, then take it."""
        raise NotImplementedError("TODO: tasks 1 to 4, wait for a slot in the window")

    async def __aenter__(self) -> RateLimiter:
        raise NotImplementedError("TODO: task 5, acquire on entering")

    async def __aexit__(self, *exc_info: object) -> None:
        raise NotImplementedError("TODO: task 5, nothing to give back on leaving")
