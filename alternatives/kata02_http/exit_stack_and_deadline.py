"""Correct, in another style: urlsplit checks, timeout_at a deadline, AsyncExitStack, wait."""

import asyncio
import contextlib
import json as jsonlib
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

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
        return self.status is not None and not self.status >= 400


class Summary(NamedTuple):
    total: int
    ok: int
    by_status: dict[int, int]
    no_response: int
    slowest: str | None


def _url(url):
    if not isinstance(url, str):
        raise TypeError(f"URL {url!r} is not a str")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in {"http", "https"} or not host:
        raise ValueError(f"{url!r} is not an http(s) URL with a host")
    return url


def _timeout(timeout):
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"timeout {timeout!r} is not a number of seconds")
    if not timeout > 0:
        raise ValueError(f"timeout {timeout!r} is not positive")


def _is_json(response):
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return media == "application/json" or re.fullmatch(r"application/[^/]+\+json", media)


async def fetch_url(session, url, *, timeout=10.0):
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError(f"the session argument must be a ClientSession, not {session!r}")
    _url(url)
    _timeout(timeout)
    loop = asyncio.get_running_loop()
    began = loop.time()
    deadline = None if timeout is None else began + timeout
    try:
        async with asyncio.timeout_at(deadline):
            response = await session.request("GET", url)
            # read() takes the whole body: at its end aiohttp releases the connection, and on an
            # error or a cancellation read() closes the response itself before raising.
            raw = await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        return FetchResult(url, None, None, None, loop.time() - began, error)
    body = raw.decode(response.get_encoding())
    data, problem = None, None
    if _is_json(response) and body.strip():
        try:
            data = jsonlib.loads(body)
        except ValueError as error:
            problem = error
    return FetchResult(url, response.status, body, data, loop.time() - began, problem)


async def fetch_many(urls, *, timeout=10.0):
    if isinstance(urls, str | bytes) or not isinstance(urls, Iterable):
        raise TypeError(f"fetch_many wants a collection of URLs, not {urls!r}")
    checked = [_url(url) for url in urls]
    _timeout(timeout)
    if not checked:
        return []
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        tasks = [asyncio.ensure_future(fetch_url(session, url, timeout=timeout))
                 for url in checked]
        try:
            await asyncio.wait(tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return [task.result() for task in tasks]


def summarize(results):
    total = ok = no_response = 0
    by_status: dict[int, int] = {}
    slowest, longest = None, -1.0
    for result in results:
        total += 1
        ok += result.ok
        if result.status is None:
            no_response += 1
        else:
            by_status[result.status] = by_status.get(result.status, 0) + 1
        if result.elapsed > longest:
            slowest, longest = result.url, result.elapsed
    return Summary(total, ok, by_status, no_response, slowest)
