"""Correct, in another style: rounds fired by loop.call_at, a Queue of slots, plain loops."""

import asyncio
import math
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

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
        if self.checks == 0:
            return None
        return self.successes / self.checks

    @property
    def latency(self):
        values = sorted(self.latencies)
        n = len(values)
        if n == 0:
            return None
        middle = (values[(n - 1) // 2] + values[n // 2]) / 2
        rank = -(-95 * n // 100)
        return Latency(values[0], middle, values[rank - 1], values[-1])


def _number(name, value, whole=False, endless=False):
    kinds = (int,) if whole else (int, float)
    if type(value) not in kinds:
        raise TypeError(f"{name}={value!r} has the wrong type")
    if not ((value >= 1) if whole else (0 < value < math.inf or (endless and value == math.inf))):
        raise ValueError(f"{name}={value!r} is out of range")


class Monitor:
    def __init__(self, urls, *, interval=10.0, timeout=2.0, attempts=1, backoff=0.5, limit=4,
                 rate=None):
        if isinstance(urls, str):
            raise TypeError(f"urls must be a list, not the string {urls!r}")
        self.urls = list(urls)
        if not self.urls:
            raise ValueError("no urls to monitor")
        for url in self.urls:
            if urlsplit(str(url)).scheme not in ("http", "https"):
                raise ValueError(f"{url!r} is not http(s)")
        for name, value in (("interval", interval), ("backoff", backoff)):
            _number(name, value)
        _number("timeout", timeout, endless=True)
        _number("attempts", attempts, whole=True)
        _number("limit", limit, whole=True)
        if rate is not None:
            _number("rate", rate, endless=True)
        self.interval, self.timeout, self.attempts = interval, timeout, attempts
        self.backoff, self.rate = backoff, rate
        self.reports = {url: ServiceReport(url) for url in self.urls}
        self.changes = []
        self.slots = asyncio.Queue()
        for _ in range(limit):
            self.slots.put_nowait(None)
        self.next_start = None
        self.session = None
        self.handle = None
        self.tasks = set()

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *_):
        await self.stop()

    async def open(self):
        if self.session:
            raise RuntimeError("monitor already started")
        self.session = aiohttp.ClientSession()

    async def start(self):
        await self.open()
        loop = asyncio.get_running_loop()
        self._fire(loop, loop.time())

    def _fire(self, loop, due):
        for url in self.urls:
            task = loop.create_task(self.check(url))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        self.handle = loop.call_at(due + self.interval, self._fire, loop, due + self.interval)

    async def stop(self):
        if not self.session:
            raise RuntimeError("monitor not started")
        if self.handle:
            self.handle.cancel()
        pending = list(self.tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.session.close()

    async def round(self):
        return [result for result in await asyncio.gather(*map(self.check, self.urls))]

    async def _try(self, url):
        try:
            async with asyncio.timeout(self.timeout):
                async with self.session.get(url) as response:
                    await response.read()
                    return response.status < 400
        except (TimeoutError, aiohttp.ClientError):
            return False

    async def check(self, url):
        if not self.session:
            raise RuntimeError("open or start the monitor before checking")
        loop = asyncio.get_running_loop()
        await self.slots.get()
        try:
            if self.rate:
                slot = loop.time() if self.next_start is None else max(loop.time(), self.next_start)
                self.next_start = slot + 1 / self.rate
                await asyncio.sleep(slot - loop.time())
            began = loop.time()
            delay = self.backoff
            for attempt in range(self.attempts):
                if attempt:
                    await asyncio.sleep(delay)
                    delay *= 2
                up = await self._try(url)
                if up:
                    break
            report = self.reports[url]
            report.checks += 1
            if up:
                report.successes += 1
                report.latencies.append(loop.time() - began)
                report.consecutive_failures = 0
            else:
                report.consecutive_failures += 1
            if report.up != up:
                self.changes.append((loop.time(), url, up))
            report.up = up
            return up
        finally:
            self.slots.put_nowait(None)


async def throughput(urls, limits, *, timeout=2.0):
    result = {}
    urls = Monitor(urls, timeout=timeout).urls  # a generator is read once, here
    for limit in limits:
        monitor = Monitor(urls, timeout=timeout, limit=limit)
        await monitor.open()
        clock = asyncio.get_running_loop().time
        try:
            began = clock()
            await monitor.round()
            result[limit] = len(monitor.urls) / (clock() - began)
        finally:
            await monitor.stop()
    return result
