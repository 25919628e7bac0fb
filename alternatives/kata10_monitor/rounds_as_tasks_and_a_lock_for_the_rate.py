"""Correct, in another style: rounds as tasks (a TaskGroup of checks each), the limit as a
Queue of tokens, the rate as a Lock that each start keeps for 1 / rate."""

from __future__ import annotations

import asyncio
import itertools
import math
import statistics
from collections.abc import Iterable
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


def _positive(name: str, value: object, endless: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not (0 < value < math.inf or (endless and value == math.inf)):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")


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
    """Rounds as tasks (each a TaskGroup of checks), the limit as a Queue of tokens, the rate
    as a Lock that each start keeps for 1 / rate (released by loop.call_later)."""

    def __init__(self, urls: Iterable[str], *, interval: float = 10.0, timeout: float = 2.0,
                 attempts: int = 1, backoff: float = 0.5, limit: int = 4,
                 rate: float | None = None) -> None:
        self.urls = _urls(urls)
        for name, value in (("interval", interval), ("timeout", timeout), ("backoff", backoff),
                            *([("rate", rate)] if rate is not None else [])):
            _positive(name, value, endless=name in ("timeout", "rate"))
        for name, value in (("attempts", attempts), ("limit", limit)):
            _count(name, value)
        self.interval, self.timeout, self.attempts = interval, timeout, attempts
        self.backoff, self.rate = backoff, rate
        self.reports = {url: ServiceReport(url) for url in self.urls}
        self.changes: list[tuple[float, str, bool]] = []
        self._tokens: asyncio.Queue[int] = asyncio.Queue()
        for token in range(limit):
            self._tokens.put_nowait(token)
        self._pacer = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._schedule: asyncio.Task[None] | None = None
        self._rounds: set[asyncio.Task[Any]] = set()

    async def __aenter__(self) -> Monitor:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def open(self) -> None:
        if self._session is not None:
            raise RuntimeError("already open")
        self._session = aiohttp.ClientSession()

    async def start(self) -> None:
        await self.open()
        self._schedule = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        if self._session is None:
            raise RuntimeError("never opened")
        doomed = [*([self._schedule] if self._schedule else []), *self._rounds]
        for task in doomed:
            task.cancel()
        await asyncio.wait(doomed) if doomed else None
        await self._session.close()

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        first = loop.time()
        for number in itertools.count():
            due = first + number * self.interval
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            task = asyncio.create_task(self.round())
            self._rounds.add(task)
            task.add_done_callback(self._rounds.discard)

    async def round(self) -> list[bool]:
        async with asyncio.TaskGroup() as group:
            checks = [group.create_task(self.check(url)) for url in self.urls]
        return [check.result() for check in checks]

    async def _wait_for_the_rate(self) -> None:
        if self.rate is None:
            return
        await self._pacer.acquire()
        asyncio.get_running_loop().call_later(1 / self.rate, self._pacer.release)

    async def _one_try(self, url: str) -> bool:
        assert self._session is not None
        try:
            async with asyncio.timeout(self.timeout):
                async with self._session.get(url) as response:
                    await response.read()
            return response.status < 400
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def check(self, url: str) -> bool:
        if self._session is None:
            raise RuntimeError("open or start the monitor first")
        loop = asyncio.get_running_loop()
        token = await self._tokens.get()
        try:
            await self._wait_for_the_rate()
            began = loop.time()
            pause = self.backoff
            tries_left = self.attempts
            while True:
                up = await self._one_try(url)
                tries_left -= 1
                if up or not tries_left:
                    break
                await asyncio.sleep(pause)
                pause *= 2
            took = loop.time() - began
        finally:
            self._tokens.put_nowait(token)
        self._note(url, up, took)
        return up

    def _note(self, url: str, up: bool, took: float) -> None:
        report = self.reports[url]
        before = report.up
        report.checks += 1
        report.successes += up
        report.consecutive_failures = 0 if up else report.consecutive_failures + 1
        if up:
            report.latencies.append(took)
        report.up = up
        if before is not up:
            self.changes.append((asyncio.get_running_loop().time(), url, up))


async def throughput(urls: Iterable[str], limits: Iterable[int], *,
                     timeout: float = 2.0) -> dict[int, float]:
    """Checks per second of loop time for one round over `urls`, at each concurrency limit.

    Bad `urls` raise as in `Monitor`. Cancelled, it stops the monitor it is measuring (the
    ``finally``) and stays cancelled.
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
