"""Kata 10, capstone: a service health monitor (reference solution)."""

from __future__ import annotations

import asyncio
import itertools
import math
import statistics
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
from yarl import URL


class Latency(NamedTuple):
    """Latency figures of the successful checks, in seconds of loop time."""

    min: float
    median: float
    p95: float
    max: float


@dataclass
class ServiceReport:
    """What the monitor knows of one service."""

    url: str
    up: bool | None = None
    consecutive_failures: int = 0
    checks: int = 0
    successes: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)

    @property
    def uptime(self) -> float | None:
        """Share of checks that found the service up (None before the first check)."""
        return self.successes / self.checks if self.checks else None

    @property
    def latency(self) -> Latency | None:
        """min, median, p95 (nearest rank) and max of successful checks; None if none."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
        return Latency(ordered[0], statistics.median(ordered), p95, ordered[-1])


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")


def _finite(name: str, value: float) -> None:
    if math.isinf(value):
        raise ValueError(f"{name} must be a finite number of seconds")


def _count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}")


def _urls(urls: Iterable[str]) -> list[str]:
    if isinstance(urls, str) or not isinstance(urls, Iterable):
        raise TypeError(f"urls must be a list of URLs, got {urls!r}")
    checked = list(urls)
    if not checked:
        raise ValueError("urls must name at least one service")
    for url in checked:
        if not isinstance(url, str) or URL(url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url!r}")
    return checked


class Monitor:
    """Checks every URL every `interval` seconds of loop time, on an absolute schedule.

    Each try has its own `timeout` (inf: none) and reads the whole body; retries wait
    `backoff`, ``2 * backoff``, ``4 * backoff``, ... (``backoff * 2 ** (k - 1)``) from the
    end of the failed try; a check holds its `limit` slot through its retries (and gives it
    back, once, however it ends, cancelled too) and starts as soon as the limit and the `rate`
    allow (inf: no pacing); both bounds hold for the monitor's whole life. ``changes`` holds
    ``(loop time the check ended, url, up)``. Bad arguments raise TypeError (wrong type, bools
    included) or ValueError (bad value: NaN, an infinite interval or backoff), naming the
    argument or its value.
    """

    def __init__(self, urls: Iterable[str], *, interval: float = 10.0, timeout: float = 2.0,
                 attempts: int = 1, backoff: float = 0.5, limit: int = 4,
                 rate: float | None = None) -> None:
        self.urls = _urls(urls)
        _positive("interval", interval)
        _positive("timeout", timeout)
        _count("attempts", attempts)
        _positive("backoff", backoff)
        _count("limit", limit)
        if rate is not None:
            _positive("rate", rate)
        _finite("interval", interval)  # timeout and rate may be inf: no timeout, no pacing
        _finite("backoff", backoff)
        self.interval, self.timeout, self.rate = interval, timeout, rate
        self.attempts, self.backoff = attempts, backoff
        self.reports = {url: ServiceReport(url) for url in self.urls}
        self.changes: list[tuple[float, str, bool]] = []
        self._slots = asyncio.Semaphore(limit)
        self._next_start = -math.inf
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # the schedule and its checks

    async def __aenter__(self) -> Monitor:
        """Start, and give the monitor to ``as``."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop, also when the block raised; returns None, so the error goes on."""
        await self.stop()

    async def open(self) -> None:
        """Open the session, without a schedule: for rounds and checks on demand."""
        if self._session is not None:
            raise RuntimeError("this monitor was already started")
        self._session = aiohttp.ClientSession()

    async def start(self) -> None:
        """Open the session and check every URL now, then every `interval` seconds."""
        await self.open()
        self._spawn(self._schedule())

    async def stop(self) -> None:
        """Cancel the schedule and its checks in flight once, wait for them, then close the
        session (not before: a cancelled check's clean-up runs to its end).

        A cancelled check records nothing: `_record` runs only when a check ends.
        """
        if self._session is None:
            raise RuntimeError("this monitor was never started")
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._session.close()

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def round(self) -> list[bool]:
        """Check every URL once, now, within the limits; whether each is up, in URL order."""
        return list(await asyncio.gather(*(self.check(url) for url in self.urls)))

    async def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for round_number in itertools.count():
            await asyncio.sleep(start + round_number * self.interval - loop.time())
            for url in self.urls:  # a slow check never delays the next round
                self._spawn(self.check(url))

    async def _pace(self) -> None:
        if self.rate is None:
            return
        loop = asyncio.get_running_loop()
        slot = max(loop.time(), self._next_start)
        self._next_start = slot + 1 / self.rate
        await asyncio.sleep(slot - loop.time())

    async def _probe(self, url: str, session: aiohttp.ClientSession) -> bool:
        try:
            async with asyncio.timeout(self.timeout), session.get(url) as response:
                await response.read()
                return response.status < 400
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def check(self, url: str) -> bool:
        """Check `url` once (with retries); record and return whether it is up.

        The report and ``changes`` are updated before it returns. Needs an open monitor.
        """
        if self._session is None:
            raise RuntimeError("start the monitor first")
        loop = asyncio.get_running_loop()
        async with self._slots:
            await self._pace()
            began = loop.time()
            up = await self._probe(url, self._session)
            for attempt in range(1, self.attempts):
                if up:
                    break
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
                up = await self._probe(url, self._session)
            self._record(url, up, loop.time() - began)
        return up

    def _record(self, url: str, up: bool, latency: float) -> None:
        report = self.reports[url]
        report.checks += 1
        if up:
            report.successes += 1
            report.latencies.append(latency)
            report.consecutive_failures = 0
        else:
            report.consecutive_failures += 1
        if report.up is not up:
            self.changes.append((asyncio.get_running_loop().time(), url, up))
        report.up = up


async def throughput(urls: Iterable[str], limits: Iterable[int], *,
                     timeout: float = 2.0) -> dict[int, float]:
    """Checks per second of loop time for one round over `urls`, at each concurrency limit.

    Bad `urls` raise as in `Monitor`; a generator of URLs is read once. Cancelled, it stops
    the monitor it is measuring (the ``finally``) and stays cancelled.
    """
    checked = _urls(urls)
    loop = asyncio.get_running_loop()
    result: dict[int, float] = {}
    for limit in limits:
        monitor = Monitor(checked, timeout=timeout, limit=limit)
        await monitor.open()
        try:
            began = loop.time()
            await monitor.round()
            result[limit] = len(checked) / (loop.time() - began)
        finally:
            await monitor.stop()
    return result
