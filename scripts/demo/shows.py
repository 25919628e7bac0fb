"""The course's demos in real wall time, each named by its kata's ``demo`` in course.toml.
Each takes the kata's module."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import aiohttp

from scripts.demo.server import local_server


def live(text: str) -> None:
    """Rewrite the current terminal line: a live status for things that take a moment."""
    print("\r  " + text.ljust(72), end="", flush=True)


def sleeper(result: Any, seconds: float) -> Callable[[], Awaitable[Any]]:
    async def job() -> Any:
        await asyncio.sleep(seconds)
        return result

    return job


async def gather_demo(m: ModuleType) -> None:
    jobs = [sleeper(n, 0.4) for n in range(5)]
    print("5 jobs that each wait 0.4 s, on the real clock:")
    sequential = await m.timed(lambda: m.run_sequentially(jobs))
    print(f"  one after another: {sequential.seconds:.2f} s, results {sequential.result}")
    concurrent = await m.timed(lambda: m.run_concurrently(jobs))
    print(f"  concurrently:      {concurrent.seconds:.2f} s, results {concurrent.result}")
    print(f"  compare():         {await m.compare(jobs)}")


async def http_demo(m: ModuleType) -> None:
    async with local_server() as base:
        urls = [f"{base}/ok/api?delay=0.5", f"{base}/ok/db?delay=0.2", f"{base}/status/503",
                f"{base}/hang", "http://127.0.0.1:1/closed-port"]
        print(f"fetching {len(urls)} URLs from a local server at once (timeout 1 s):")
        start = time.perf_counter()
        results = await m.fetch_many(urls, timeout=1.0)
        for result in results:
            what = result.status if result.error is None else type(result.error).__name__
            print(f"  {result.url:<42} {what!s:<22} {result.elapsed:.2f} s")
        print(f"  all of them in {time.perf_counter() - start:.2f} s: the slowest, not the sum")
        print(f"  {m.summarize(results)}")


async def retry_demo(m: ModuleType) -> None:
    async with local_server() as base, aiohttp.ClientSession() as session:
        url = f"{base}/flaky/db?fail=3"

        async def call() -> Any:
            async with session.get(url) as response:
                response.raise_for_status()
                return await response.json()

        start = time.perf_counter()

        def told(event: Any) -> None:
            print(f"  {time.perf_counter() - start:5.2f} s  attempt {event.attempt} failed "
                  f"({type(event.error).__name__}); retrying in {event.delay:.2f} s")

        print("a service that fails 3 times, retried with base_delay=0.2, factor=2:")
        got = await m.retry_async(call, attempts=5, base_delay=0.2, on_retry=told)
        print(f"  {time.perf_counter() - start:5.2f} s  success: {got}")


async def timeouts_demo(m: ModuleType) -> None:
    async with local_server() as base, aiohttp.ClientSession() as session:
        async def hanging() -> str:
            async with session.get(f"{base}/hang") as response:
                return await response.text()

        start = time.perf_counter()
        try:
            await m.timeout_after(0.5, hanging())
        except TimeoutError:
            print(f"timeout_after(0.5, <a request that hangs>): TimeoutError after "
                  f"{time.perf_counter() - start:.2f} s")

    async def handle(item: float) -> None:
        print(f"  handling a {item} s job")
        try:
            await asyncio.sleep(item)
        finally:
            print(f"  clean-up of the {item} s job")

    worker = m.Worker(handle, grace=0.5)
    worker.start()
    for item in (0.2, 3.0, 0.2):
        worker.put(item)
    await asyncio.sleep(0.5)
    start = time.perf_counter()
    print("stopping the worker with grace=0.5 while the 3 s job runs:")
    outcome = await worker.stop()
    print(f"  stop() said {outcome!r} after {time.perf_counter() - start:.2f} s; "
          f"handled {worker.handled}")


async def semaphore_demo(m: ModuleType) -> None:
    in_flight = 0

    def job(n: int) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            nonlocal in_flight
            in_flight += 1
            live(f"job {n:2d} started, {in_flight} in flight")
            await asyncio.sleep(0.3)
            in_flight -= 1
            return n

        return run

    print("12 jobs of 0.3 s, with different limits:")
    for limit in (1, 4, 12):
        start = time.perf_counter()
        await m.run_tasks([job(n) for n in range(12)], limit)
        live(f"limit {limit:2d}: {time.perf_counter() - start:.2f} s")
        print()


async def queue_demo(m: ModuleType) -> None:
    done = 0

    async def handle(item: int) -> int:
        nonlocal done
        await asyncio.sleep(0.1 + 0.1 * (item % 3))
        done += 1
        live(f"{done} of 15 items handled")
        return item * item

    print("15 items through a queue of 2 to 3 workers:")
    start = time.perf_counter()
    results = await m.pipeline(iter(range(15)), handle, workers=3, maxsize=2)
    print(f"\n  results {results}\n  in {time.perf_counter() - start:.2f} s")


async def ratelimit_demo(m: ModuleType) -> None:
    limiter = m.RateLimiter(5, 1.0)
    start = time.perf_counter()
    print("12 requests through RateLimiter(5, per=1.0):")
    passed = []
    for _ in range(12):
        async with limiter:
            passed.append(time.perf_counter() - start)
            live(f"{len(passed)} passed, the last at {passed[-1]:.2f} s")
    print("\n  passed at " + ", ".join(f"{t:.1f}" for t in passed))


async def sync_demo(m: ModuleType) -> None:
    account = m.Account("wallet", m.Store(0, 0.01))
    await asyncio.gather(*(account.deposit(1) for _ in range(50)))
    print(f"50 concurrent deposits of 1: balance {account.store.value}")
    alice, bob = m.Account("alice", m.Store(100, 0.01)), m.Account("bob", m.Store(100, 0.01))
    await asyncio.wait_for(asyncio.gather(m.transfer(alice, bob, 30), m.transfer(bob, alice, 50)),
                           timeout=5)
    print(f"alice->bob 30 and bob->alice 50 at once: alice {alice.store.value}, "
          f"bob {bob.store.value} (no deadlock)")
    loads = 0

    async def loader(key: str) -> str:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.3)
        return f"profile of {key}"

    flight = m.SingleFlight()
    got = await asyncio.gather(*(flight.get("user:42", loader) for _ in range(20)))
    print(f"20 concurrent gets of one key: {loads} load, {len(got)} answers of {got[0]!r}")


async def cleanup_demo(m: ModuleType) -> None:
    made = 0

    class Connection:
        async def close(self) -> None:
            await asyncio.sleep(0.05)

    async def factory() -> Connection:
        nonlocal made
        made += 1
        await asyncio.sleep(0.1)
        return Connection()

    async def user(pool: Any) -> None:
        async with pool.acquire():
            await asyncio.sleep(0.2)

    async with m.Pool(factory, 2) as pool:
        await asyncio.gather(*(user(pool) for _ in range(6)))
    print(f"6 users of Pool(size=2): {made} connections made; pool closed: {pool.closed}")

    class Lines:
        count, closed = 0, False

        async def __aenter__(self) -> Lines:
            return self

        async def __aexit__(self, *exc_info: object) -> None:
            self.closed = True

        async def read(self) -> str | None:
            self.count += 1
            return f"line {self.count}" if self.count <= 100 else None

    source = Lines()
    first = await m.take(m.stream(lambda: source), 3)
    print(f"take(stream(100 lines), 3): {first}; source closed: {source.closed}")


async def monitor_demo(m: ModuleType) -> None:
    async with local_server() as base:
        urls = [f"{base}/ok/api?delay=0.05", f"{base}/flaky/db?fail=3",
                f"{base}/status/503", f"{base}/ok/search?delay=0.3"]
        print("monitoring 4 local services every 0.5 s for 3 s (timeout 0.4 s, 2 attempts):")
        monitor = m.Monitor(urls, interval=0.5, timeout=0.4, attempts=2, backoff=0.1)
        async with monitor:
            start = time.perf_counter()
            while (elapsed := time.perf_counter() - start) < 3.0:
                checks = sum(r.checks for r in monitor.reports.values())
                up = sum(bool(r.up) for r in monitor.reports.values())
                live(f"{elapsed:3.1f} s: {checks} checks, {up} of {len(urls)} up")
                await asyncio.sleep(0.1)
        print()
        for url, report in monitor.reports.items():
            figures = report.latency
            median = f"{figures.median * 1000:.0f} ms" if figures else "-"
            print(f"  {url.removeprefix(base):<22} up={report.up!s:<5} uptime="
                  f"{report.uptime or 0:.0%} median latency {median}")
        for _, url, up in monitor.changes:
            print(f"  change: {url.removeprefix(base)} is {'up' if up else 'DOWN'}")
        speeds = await m.throughput([f"{base}/ok/s{n}?delay=0.2" for n in range(8)], [1, 4, 8])
        print("  throughput by limit: " + ", ".join(f"{k}: {v:.1f}/s" for k, v in speeds.items()))
