"""Correct, in another style: a state machine, a TaskGroup owns the checks, Futures hand slots on.

An explicit State enum, the scheduled checks owned by a TaskGroup in the schedule task (stop
cancels that one task), and a hand-made semaphore that passes a freed slot to the first waiter.
"""

import asyncio
import collections
import contextlib
import enum
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import aiohttp
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
    latencies: list = field(default_factory=list, repr=False)

    @property
    def uptime(self):
        if self.checks:
            return self.successes / self.checks
        return None

    @property
    def latency(self):
        ordered = sorted(self.latencies)
        if not ordered:
            return None
        mid, odd = divmod(len(ordered), 2)
        median = ordered[mid] if odd else (ordered[mid - 1] + ordered[mid]) / 2
        return Latency(ordered[0], median, ordered[math.ceil(len(ordered) * 0.95) - 1],
                       ordered[-1])


class State(enum.Enum):
    NEW = "new"
    OPEN = "open"
    RUNNING = "running"
    STOPPED = "stopped"


class Slots:
    """A counting semaphore that hands a freed slot straight to the longest waiter."""

    def __init__(self, size):
        self.free = size
        self.waiters = collections.deque()

    async def take(self):
        if self.free and not self.waiters:
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # the slot came, but we are leaving: pass it on
            elif waiter in self.waiters:
                self.waiters.remove(waiter)
            raise

    def give(self):
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


def _validate(name, value, integral=False, endless=False):
    allowed = (int,) if integral else (int, float)
    if type(value) is bool or not isinstance(value, allowed):
        raise TypeError(f"{name} has the wrong type: {value!r}")
    if (integral and value < 1) or (not integral and not value > 0) or (
            value == math.inf and not endless):
        raise ValueError(f"{name} is out of range: {value!r}")


class Monitor:
    def __init__(self, urls, *, interval=10.0, timeout=2.0, attempts=1, backoff=0.5, limit=4,
                 rate=None):
        if isinstance(urls, str) or not hasattr(urls, "__iter__"):
            raise TypeError(f"urls must be an iterable of URLs, got {urls!r}")
        self.urls = []
        for url in urls:
            if not isinstance(url, str) or URL(url).scheme not in ("http", "https"):
                raise ValueError(f"urls holds a URL that is not http(s): {url!r}")
            self.urls.append(url)
        if not self.urls:
            raise ValueError("urls is empty")
        _validate("interval", interval)
        _validate("timeout", timeout, endless=True)
        _validate("attempts", attempts, integral=True)
        _validate("backoff", backoff)
        _validate("limit", limit, integral=True)
        if rate is not None:
            _validate("rate", rate, endless=True)
        self.interval, self.timeout, self.attempts = interval, timeout, attempts
        self.backoff, self.rate = backoff, rate
        self.state = State.NEW
        self.reports = {url: ServiceReport(url) for url in self.urls}
        self.changes = []
        self._slots = Slots(limit)
        self._free_at = None
        self._session = None
        self._runner = None

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.stop()

    async def open(self):
        if self.state is not State.NEW:
            raise RuntimeError(f"open() on a monitor that is {self.state.value}")
        self._session = aiohttp.ClientSession()
        self.state = State.OPEN

    async def start(self):
        if self.state is not State.NEW:
            raise RuntimeError(f"start() on a monitor that is {self.state.value}")
        await self.open()
        self.state = State.RUNNING
        self._runner = asyncio.create_task(self._run())

    async def _run(self):
        loop = asyncio.get_running_loop()
        async with asyncio.TaskGroup() as group:
            origin = loop.time()
            k = 0
            while True:
                for url in self.urls:
                    group.create_task(self.check(url))
                k += 1
                await asyncio.sleep(max(0.0, origin + k * self.interval - loop.time()))

    async def stop(self):
        if self.state is State.NEW:
            raise RuntimeError("stop() on a monitor never opened")
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        await self._session.close()
        self.state = State.STOPPED

    async def round(self):
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self.check(url)) for url in self.urls]
        return [task.result() for task in tasks]

    async def _attempt(self, url):
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._session.get(url)
                async with response:
                    await response.read()
                    return response.status < 400
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def check(self, url):
        if self.state not in (State.OPEN, State.RUNNING):
            raise RuntimeError("the monitor is not open")
        loop = asyncio.get_running_loop()
        await self._slots.take()
        try:
            if self.rate is not None:
                start = loop.time() if self._free_at is None else max(loop.time(), self._free_at)
                self._free_at = start + 1 / self.rate
                if start > loop.time():
                    await asyncio.sleep(start - loop.time())
            first = loop.time()
            up, tries, wait = False, 0, self.backoff
            while True:
                up = await self._attempt(url)
                tries += 1
                if up or tries == self.attempts:
                    break
                await asyncio.sleep(wait)
                wait *= 2
            self._note(url, up, loop.time() - first, loop.time())
            return up
        finally:
            self._slots.give()

    def _note(self, url, up, took, when):
        report = self.reports[url]
        report.checks += 1
        if up:
            report.successes += 1
            report.latencies.append(took)
            report.consecutive_failures = 0
        else:
            report.consecutive_failures += 1
        if up != report.up:
            self.changes.append((when, url, up))
        report.up = up


async def throughput(urls, limits, *, timeout=2.0):
    checked = Monitor(urls).urls
    loop = asyncio.get_running_loop()
    out = {}
    for limit in limits:
        monitor = Monitor(checked, timeout=timeout, limit=limit)
        await monitor.open()
        try:
            began = loop.time()
            await monitor.round()
            out[limit] = len(checked) / (loop.time() - began)
        finally:
            await monitor.stop()
    return out
