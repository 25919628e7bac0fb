"""Correct, on aiolimiter: the rate is an AsyncLimiter(1, 1 / rate) bucket, queued by a Lock.

A leaky bucket of capacity 1 that drains in 1 / rate seconds lets a check start, then the next
1 / rate later at the earliest: the pacing kata 7 built by hand. AsyncLimiter lets a newcomer
take capacity a woken waiter has not taken yet, so a Lock keeps the checks in line. The rest:
rounds due at absolute times read off the loop's clock, checks in a set of tasks, a report
that counts a check and says whether the state changed.
"""

import asyncio
import math
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import NamedTuple

import aiohttp
from aiolimiter import AsyncLimiter
from yarl import URL


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
    latencies: list[float] = field(default_factory=list, repr=False)

    @property
    def uptime(self) -> float | None:
        return None if not self.checks else self.successes / self.checks

    @property
    def latency(self) -> Latency | None:
        ordered = sorted(self.latencies)
        if not ordered:
            return None
        half, odd = divmod(len(ordered), 2)
        median = ordered[half] if odd else (ordered[half - 1] + ordered[half]) / 2
        return Latency(ordered[0], median, ordered[math.ceil(len(ordered) * 0.95) - 1],
                       ordered[-1])

    def add(self, up: bool, latency: float) -> bool:
        """Count a check; whether it changed the state."""
        changed = self.up is not up
        self.checks += 1
        self.up = up
        if up:
            self.successes += 1
            self.consecutive_failures = 0
            self.latencies.append(latency)
        else:
            self.consecutive_failures += 1
        return changed


def _urls(urls: object) -> list[str]:
    if isinstance(urls, str | bytes) or not hasattr(urls, "__iter__"):
        raise TypeError(f"urls: expected an iterable of URLs, got {urls!r}")
    found = list(urls)  # type: ignore[call-overload]
    if not found:
        raise ValueError("urls: no service to monitor")
    bad = [u for u in found if not isinstance(u, str) or URL(u).scheme not in {"http", "https"}]
    if bad:
        raise ValueError(f"urls: not an http(s) URL: {bad[0]!r}")
    return found


def _check(name: str, value: object, *, whole: bool = False, endless: bool = False) -> None:
    kinds: tuple[type, ...] = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{name}={value!r}: expected {'an int' if whole else 'a number'}")
    if not (value >= 1 if whole else value > 0):  # type: ignore[operator]
        raise ValueError(f"{name}={value!r}: expected {'at least 1' if whole else 'above 0'}")
    if value == math.inf and not endless:
        raise ValueError(f"{name}={value!r}: expected a finite number")


class Monitor:
    def __init__(self, urls, *, interval=10.0, timeout=2.0, attempts=1, backoff=0.5, limit=4,
                 rate=None):
        self.urls = _urls(urls)
        for name, value in (("interval", interval), ("backoff", backoff)):
            _check(name, value)
        _check("timeout", timeout, endless=True)  # inf: no timeout
        _check("attempts", attempts, whole=True)
        _check("limit", limit, whole=True)
        if rate is not None:
            _check("rate", rate, endless=True)  # inf: no pacing
        self.interval, self.timeout, self.attempts = interval, timeout, attempts
        self.backoff, self.limit, self.rate = backoff, limit, rate
        self.reports = {url: ServiceReport(url) for url in self.urls}
        self.changes: list[tuple[float, str, bool]] = []
        self._limit = asyncio.Semaphore(limit)
        self._bucket = None if rate in (None, math.inf) else AsyncLimiter(1, 1 / rate)
        self._line = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._running: set[asyncio.Task] = set()

    async def __aenter__(self) -> "Monitor":
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
        self._run(self._rounds())

    async def stop(self) -> None:
        if self._session is None:
            raise RuntimeError("not started")
        while self._running:  # checks a round spawned while we waited are cancelled too
            for task in list(self._running):
                task.cancel()
            await asyncio.wait(list(self._running))
        await self._session.close()

    def _run(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _rounds(self) -> None:
        loop = asyncio.get_running_loop()
        first = loop.time()
        k = 0
        while True:
            for url in self.urls:
                self._run(self.check(url))
            k += 1
            await asyncio.sleep(first + k * self.interval - loop.time())

    async def round(self) -> list[bool]:
        tasks = [asyncio.ensure_future(self.check(url)) for url in self.urls]
        try:
            return [await task for task in tasks]
        finally:
            for task in tasks:
                task.cancel()

    async def _try(self, url: str) -> bool:
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
            raise RuntimeError("open() or start() the monitor first")
        loop = asyncio.get_running_loop()
        async with self._limit:
            async with AsyncExitStack() as pacing:
                if self._bucket is not None:
                    await pacing.enter_async_context(self._line)
                    await pacing.enter_async_context(self._bucket)
            began = loop.time()
            up = await self._try(url)
            wait = self.backoff
            for _ in range(self.attempts - 1):
                if up:
                    break
                await asyncio.sleep(wait)
                wait *= 2
                up = await self._try(url)
            if self.reports[url].add(up, loop.time() - began):
                self.changes.append((loop.time(), url, up))
        return up


async def throughput(urls, limits, *, timeout=2.0) -> dict[int, float]:
    checked = _urls(urls)
    loop = asyncio.get_running_loop()
    per_limit: dict[int, float] = {}
    for limit in limits:
        monitor = Monitor(checked, timeout=timeout, limit=limit)
        await monitor.open()
        try:
            began = loop.time()
            await monitor.round()
            per_limit[limit] = len(checked) / (loop.time() - began)
        finally:
            await monitor.stop()
    return per_limit
