"""Correct, in another style: asyncio.wait(timeout=) timeouts, as_completed with an index map."""

import asyncio
import numbers
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

import aiohttp
from yarl import URL


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
        return isinstance(self.status, int) and 0 < self.status < 400


class Summary(NamedTuple):
    total: int
    ok: int
    by_status: dict
    no_response: int
    slowest: str | None


def _url(url):
    if not isinstance(url, str):
        raise TypeError(f"URL must be text: {url!r}")
    try:
        parsed = URL(url)
    except ValueError:
        raise ValueError(f"unparsable URL {url!r}") from None
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.host:
        raise ValueError(f"{url!r} is not an http(s) URL with a host")
    return url


def _limit(timeout):
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
            raise TypeError(f"timeout={timeout!r} is not a number of seconds")
        if not timeout > 0:
            raise ValueError(f"timeout={timeout!r} is not positive")


async def _request(session, url):
    async with session.get(url) as response:
        text = await response.text()
        media = response.content_type.lower()
        data, problem = None, None
        if media == "application/json" or (media.startswith("application/")
                                            and media.endswith("+json")):
            try:
                data = await response.json()
            except ValueError as error:
                problem = error
        return response.status, text, data, problem


async def fetch_url(session, url, *, timeout=10.0):
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError(f"expected a ClientSession as session, got {session!r}")
    _url(url)
    _limit(timeout)
    loop = asyncio.get_running_loop()
    start = loop.time()
    request = asyncio.ensure_future(_request(session, url))
    try:
        done, _ = await asyncio.wait({request}, timeout=timeout)
    except asyncio.CancelledError:
        request.cancel()
        await asyncio.wait({request})
        raise
    if not done:
        request.cancel()
        await asyncio.wait({request})
        return FetchResult(url, None, None, None, loop.time() - start, TimeoutError(url))
    if request.exception() is not None:
        error = request.exception()
        if isinstance(error, aiohttp.ClientError):
            return FetchResult(url, None, None, None, loop.time() - start, error)
        raise error
    status, text, data, problem = request.result()
    return FetchResult(url, status, text, data, loop.time() - start, problem)


async def fetch_many(urls, *, timeout=10.0):
    if isinstance(urls, (str, bytes)):
        raise TypeError(f"one URL string {urls!r} given; pass a list of URLs")
    try:
        listed = [_url(url) for url in iter(urls)]
    except TypeError as error:
        if "URL must be text" in str(error):
            raise
        raise TypeError(f"urls {urls!r} is not iterable") from None
    _limit(timeout)
    results = [None] * len(listed)
    async with aiohttp.ClientSession() as session:
        async def indexed(index, url):
            return index, await fetch_url(session, url, timeout=timeout)

        tasks = [asyncio.ensure_future(indexed(i, u)) for i, u in enumerate(listed)]
        try:
            for next_done in asyncio.as_completed(tasks):
                index, result = await next_done
                results[index] = result
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
    return results


def summarize(results):
    results = list(results)
    counts = Counter(r.status for r in results)
    missing = counts.pop(None, 0)
    ranked = sorted(results, key=lambda r: -r.elapsed)
    return Summary(len(results), sum(1 for r in results if r.ok), dict(counts), missing,
                   ranked[0].url if ranked else None)
