"""Kata 10, capstone: a service health monitor.

Everything so far, in the tool this course is for: check a list of HTTP
endpoints on a schedule, with timeouts, retries with backoff, a limit on
concurrent checks and an optional rate, and keep a report per service.

Read README.md for the tasks, run ``./tox -e kata10`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import aiohttp  # noqa: F401  (you will need it)


class Latency(NamedTuple):
    """Latency figures of the successful checks, in seconds of loop time."""

    min: float
    median: float
    p95: float
    max: float


@dataclass
class ServiceReport:
    """What the monitor knows of one service; the monitor keeps it up to date.

    ``up`` is the state found by the latest check (None before the first),
    ``consecutive_failures`` the failed checks since the last success,
    ``checks`` and ``successes`` count the checks, ``latencies`` holds the
    loop time each successful check took (from its first try to its end), in
    the order the checks ended.
    """

    url: str
    up: bool | None = None
    consecutive_failures: int = 0
    checks: int = 0
    successes: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)

    @property
    def uptime(self) -> float | None:
        """The share of checks that found the service up; None before the first check."""
        raise NotImplementedError("TODO: task 4, the uptime ratio")

    @property
    def latency(self) -> Latency | None:
        """min, median, p95 and max of `latencies`; None when there are none.

        p95 is the nearest-rank percentile: the value at position
        ceil(0.95 * n) in the sorted list (counting from 1).
        """
        raise NotImplementedError("TODO: task 4, latency figures")


class Monitor:
    """Checks every URL every `interval` seconds of loop time, on an absolute schedule.

    A check GETs the URL; the service is up when a response arrives within
    `timeout` seconds (an asyncio timeout) with a status below 400; the check
    reads the whole body. A failed check is tried again up to `attempts` times
    in all, after `backoff`, ``2 * backoff``, ``4 * backoff``, ``8 * backoff``,
    ... seconds (retry k waits ``backoff * 2 ** (k - 1)``), counted from the end
    of the failed try (each try has its own `timeout`). At most `limit` checks
    run at once (a check keeps its place through its retries, and gives back
    exactly the place it took, once, however it ends, cancelled too), and with
    `rate` checks start at least ``1 / rate`` seconds apart (no more than `rate`
    per second, evenly spaced; a cancelled check leaves the turns of later ones
    as they were). A check starts as soon as the limit and the rate allow; both
    bounds hold for the monitor's whole life.
    ``reports`` maps each URL to its `ServiceReport`; ``changes`` lists
    ``(loop time, url, up)`` each time a service's state differs from its
    previous one (the first check included), the loop time being when the check
    that found the new state ended.

    Raises TypeError for an argument of the wrong type (a bool is not a number
    here) and ValueError for a bad value, with a message that names the argument
    or its bad value: `urls` an iterable (not a string) of at least one http(s)
    URL; `interval`, `timeout`, `backoff` and `rate` (or None) positive numbers,
    NaN refused; `timeout=math.inf` is no timeout and `rate=math.inf` no pacing,
    an infinite `interval` or `backoff` a ValueError; `attempts` and `limit` ints
    of at least 1.
    """

    def __init__(self, urls: Iterable[str], *, interval: float = 10.0, timeout: float = 2.0,
                 attempts: int = 1, backoff: float = 0.5, limit: int = 4,
                 rate: float | None = None) -> None:
        raise NotImplementedError("TODO: tasks 1 and 7, set up the monitor")

    async def __aenter__(self) -> Monitor:
        """`start()` the monitor and return it (``async with Monitor(...) as monitor``)."""
        raise NotImplementedError("TODO: task 5, start on entering")

    async def __aexit__(self, *exc_info: object) -> None:
        """`stop()` the monitor, also when the block raised (the error goes on)."""
        raise NotImplementedError("TODO: task 5, stop on leaving")

    async def open(self) -> None:
        """Open the monitor's one aiohttp session, without a schedule (for `round` and
        `check` on demand). RuntimeError if already open or started."""
        raise NotImplementedError("TODO: task 1, open the session")

    async def start(self) -> None:
        """Open the session and check every URL now, then every `interval` seconds:
        round k is due at start + k * interval, however long the checks take (no drift).
        RuntimeError if already started."""
        raise NotImplementedError("TODO: task 2, start the schedule")

    async def stop(self) -> None:
        """Cancel the schedule and its checks in flight (once each), wait for them to end,
        and only then close the session.

        A cancelled check's clean-up runs to its end before the session closes. When stop
        returns, no task of the monitor is left and the session is closed. A
        cancelled check records nothing (no count, no change). RuntimeError if never opened.
        """
        raise NotImplementedError("TODO: task 5, stop cleanly")

    async def round(self) -> list[bool]:
        """Check every URL once, now, within the limits; whether each one is up.

        The answers come in the order of the URLs, once every check has ended.
        """
        raise NotImplementedError("TODO: task 1, one round of checks")

    async def check(self, url: str) -> bool:
        """Check `url` (with its retries), record the result in its report, return it.

        The check's latency runs from its first try to its end. The report (and
        ``changes``) are up to date when check returns. RuntimeError if the monitor was
        not opened or started.
        """
        raise NotImplementedError("TODO: tasks 1 and 3, check one service")


async def throughput(urls: Iterable[str], limits: Iterable[int], *,
                     timeout: float = 2.0) -> dict[int, float]:
    """A small benchmark: for each concurrency limit, run one round of checks over `urls`
    and report checks per second of loop time (``{limit: checks_per_second}``).

    Each check gives up after `timeout` seconds. Bad `urls`, limits and `timeout` raise
    as in `Monitor`; `urls` may be a generator, read once (every round checks every URL).
    Cancelled, it stops the monitor it is measuring (no task left, its session closed)
    and stays cancelled."""
    raise NotImplementedError("TODO: tasks 6 and 7, measure throughput against the limit")
