"""Correct, in another style: a queue of (index, URL) served by workers, wait_for timeouts."""

import asyncio
import math
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlparse

import aiohttp


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int | None
    body: str | None
    json: Any
    elapsed: float
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


class Summary(NamedTuple):
    total: int
    ok: int
    by_status: dict
    no_response: int
    slowest: str | None


def _valid_url(url):
    if not isinstance(url, str):
        raise TypeError(f"expected a str URL, got {type(url).__name__} {url!r}")
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid URL {url!r}: http(s) and a host are required")


def _valid_timeout(timeout):
    if timeout is None:
        return
    if type(timeout) is bool or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout {timeout!r} is not a number")
    if not (timeout > 0 and not math.isnan(timeout)):
        raise ValueError(f"timeout {timeout!r} must be > 0")


async def _get(session, url):
    async with session.get(url) as response:
        text = await response.text()
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json" and not (kind.startswith("application/")
                                                and kind.endswith("+json")):
            return response.status, text, None, None
        try:
            return response.status, text, await response.json(), None
        except ValueError as error:
            return response.status, text, None, error


async def fetch_url(session, url, *, timeout=10.0):
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError(f"{session!r} is not an aiohttp.ClientSession")
    _valid_url(url)
    _valid_timeout(timeout)
    loop = asyncio.get_running_loop()
    began = loop.time()
    try:
        status, text, data, problem = await asyncio.wait_for(_get(session, url), timeout)
    except (TimeoutError, aiohttp.ClientError) as problem:
        return FetchResult(url, None, None, None, loop.time() - began, problem)
    return FetchResult(url, status, text, data, loop.time() - began, problem)


async def fetch_many(urls, *, timeout=10.0):
    if isinstance(urls, (str, bytes, bytearray)) or not hasattr(urls, "__iter__"):
        raise TypeError(f"fetch_many needs a collection of URLs, not {urls!r}")
    listed = list(urls)
    for url in listed:
        _valid_url(url)
    _valid_timeout(timeout)
    results = [None] * len(listed)
    queue = asyncio.Queue()
    for item in enumerate(listed):
        queue.put_nowait(item)
    session = aiohttp.ClientSession()
    try:
        async def worker():
            while not queue.empty():
                index, url = queue.get_nowait()
                results[index] = await fetch_url(session, url, timeout=timeout)

        workers = [asyncio.ensure_future(worker()) for _ in listed]
        try:
            if workers:
                await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            if workers:
                await asyncio.wait(workers)
    finally:
        await session.close()
    return results


def summarize(results):
    total = ok = missing = 0
    per_status = {}
    slowest, longest = None, -1.0
    for result in results:
        total += 1
        ok += result.ok
        if result.status is None:
            missing += 1
        else:
            per_status[result.status] = per_status.get(result.status, 0) + 1
        if result.elapsed >= longest:
            slowest, longest = result.url, result.elapsed
    return Summary(total, ok, per_status, missing, slowest)
