"""Correct, in another style: a Condition for the limit, a Lock for the rate, wait_for, recursion.

A Condition counts the running checks, a Lock paces their starts, asyncio.wait_for bounds each
try, retries recurse, and stop() cancels a list of futures.
"""

import asyncio
import math
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlparse

import aiohttp


class Latency(NamedTuple):
    min: float
    median: float
    p95: float
    max: float


@dataclass
class ServiceReport:
    url: str
    up: bool | None = None
    consecutive_failures: int = 0
    checks: int = 0
    successes: int = 0
    latencies: list = field(default_factory=list, repr=False)

    @property
    def uptime(self):
        return None if not self.checks else self.successes / self.checks

    @property
    def latency(self):
        if not self.latencies:
            return None
        values = sorted(self.latencies)
        n = len(values)
        half = n // 2
        median = values[half] if n % 2 else (values[half - 1] + values[half]) / 2
        rank = (95 * n + 99) // 100  # ceil(0.95 * n), in integers
        return Latency(values[0], median, values[rank - 1], values[-1])


def _need(name, value, kind, low, strict, endless=False):
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"bad type for {name}: {value!r}")
    if not (value > low if strict else value >= low) or (value == math.inf and not endless):
        raise ValueError(f"bad value for {name}: {value!r}")


class Monitor:
    def __init__(self, urls, *, interval=10.0, timeout=2.0, attempts=1, backoff=0.5, limit=4,
                 rate=None):
        if isinstance(urls, str | bytes):
            raise TypeError(f"urls should be several URLs, not {urls!r}")
        try:
            self.urls = [*urls]
        except TypeError:
            raise TypeError(f"urls is not iterable: {urls!r}") from None
        if not self.urls:
            raise ValueError("urls is empty")
        for url in self.urls:
            if not isinstance(url, str) or urlparse(url).scheme not in {"http", "https"}:
                raise ValueError(f"cannot monitor {url!r}")
        number = (int, float)
        _need("interval", interval, number, 0, True)
        _need("timeout", timeout, number, 0, True, endless=True)
        _need("backoff", backoff, number, 0, True)
        _need("attempts", attempts, int, 1, False)
        _need("limit", limit, int, 1, False)
        if rate is not None:
            _need("rate", rate, number, 0, True, endless=True)
        self.interval, self.timeout, self.attempts = interval, timeout, attempts
        self.backoff, self.limit, self.rate = backoff, limit, rate
        self.reports = {url: ServiceReport(url) for url in self.urls}
        self.changes = []
        self._running = 0
        self._turns = asyncio.Condition()
        self._pacing = asyncio.Lock()
        self._last_start = None
        self._session = None
        self._schedule = None
        self._checks = []

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, kind, error, trace):
        await self.stop()
        return False

    async def open(self):
        if self._session is not None:
            raise RuntimeError("the session is already open")
        self._session = aiohttp.ClientSession()

    async def start(self):
        await self.open()
        self._schedule = asyncio.ensure_future(self._rounds())

    async def _rounds(self):
        loop = asyncio.get_running_loop()
        origin = loop.time()
        k = 0
        while True:
            due = origin + k * self.interval
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            self._checks = [task for task in self._checks if not task.done()]
            self._checks += [asyncio.ensure_future(self.check(url)) for url in self.urls]
            k += 1

    async def stop(self):
        if self._session is None:
            raise RuntimeError("the monitor was never opened")
        pending = [task for task in [self._schedule, *self._checks] if task is not None]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        self._checks = []
        await self._session.close()

    async def round(self):
        outcomes = await asyncio.gather(*[self.check(url) for url in self.urls])
        return list(outcomes)

    async def _get(self, url):
        async with self._session.get(url) as response:
            await response.read()
            return response.status

    async def _one_try(self, url):
        try:
            status = await asyncio.wait_for(self._get(url), self.timeout)
        except (TimeoutError, aiohttp.ClientError):
            return False
        return status < 400

    async def _tries(self, url, left, pause):
        if await self._one_try(url):
            return True
        if left == 1:
            return False
        await asyncio.sleep(pause)
        return await self._tries(url, left - 1, pause * 2)

    async def _wait_for_pace(self):
        if self.rate is None:
            return
        loop = asyncio.get_running_loop()
        async with self._pacing:
            if self._last_start is not None:
                wait = self._last_start + 1 / self.rate - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            self._last_start = loop.time()

    async def check(self, url):
        if self._session is None:
            raise RuntimeError("open() or start() the monitor first")
        async with self._turns:
            await self._turns.wait_for(lambda: self._running < self.limit)
            self._running += 1
        try:
            await self._wait_for_pace()
            loop = asyncio.get_running_loop()
            first = loop.time()
            up = await self._tries(url, self.attempts, self.backoff)
            took = loop.time() - first
        finally:
            async with self._turns:
                self._running -= 1
                self._turns.notify()
        report = self.reports[url]
        report.checks += 1
        report.successes += up
        report.consecutive_failures = 0 if up else report.consecutive_failures + 1
        if up:
            report.latencies.append(took)
        if report.up is None or report.up != up:
            self.changes.append((loop.time(), url, up))
        report.up = up
        return up


async def throughput(urls, limits, *, timeout=2.0):
    speeds = {}
    urls = Monitor(urls, timeout=timeout).urls  # read a generator once
    for limit in limits:
        monitor = Monitor(urls, timeout=timeout, limit=limit)
        await monitor.open()
        loop = asyncio.get_running_loop()
        try:
            t0 = loop.time()
            done = await monitor.round()
            speeds[limit] = len(done) / (loop.time() - t0)
        finally:
            await monitor.stop()
    return speeds
