"""Correct, in another style: urllib.parse checks, read() and json.loads, asyncio.gather."""

import asyncio
import json
from collections import Counter
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
    def ok(self):
        return self.status is not None and 100 <= self.status <= 399


class Summary(NamedTuple):
    total: int
    ok: int
    by_status: dict
    no_response: int
    slowest: str | None


def _url(url):
    if type(url) is not str:
        raise TypeError(f"URL {url!r} is not a string")
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{url} is not a valid http or https URL")
    return url


def _timeout(timeout):
    if timeout is not None:
        if type(timeout) not in (int, float):
            raise TypeError(f"bad timeout {timeout!r}")
        if not timeout > 0:
            raise ValueError(f"timeout {timeout} must be > 0")


async def fetch_url(session, url, *, timeout=10.0):
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError("the first argument, session, must be an aiohttp.ClientSession")
    _url(url)
    _timeout(timeout)
    clock = asyncio.get_running_loop().time
    began = clock()
    try:
        async with asyncio.timeout(timeout):
            async with session.get(url) as response:
                raw = await response.read()
                status, kind = response.status, response.headers.get("Content-Type", "")
    except aiohttp.ClientError as error:
        return FetchResult(url, None, None, None, clock() - began, error)
    except TimeoutError as error:
        return FetchResult(url, None, None, None, clock() - began, error)
    text = raw.decode()
    media = kind.partition(";")[0].strip().lower()
    parsed = trouble = None
    if media.startswith("application/") and (media == "application/json"
                                              or media.endswith("+json")) and text.strip():
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            trouble = error
    return FetchResult(url, status, text, parsed, clock() - began, trouble)


async def fetch_many(urls, *, timeout=10.0):
    if isinstance(urls, str | bytes):
        raise TypeError(f"fetch_many wants a list of URLs, not the single string {urls!r}")
    try:
        urls = [_url(url) for url in urls]
    except TypeError as error:
        if "not a string" in str(error):
            raise
        raise TypeError(f"urls must be iterable, got {urls!r}") from None
    _timeout(timeout)
    async with aiohttp.ClientSession() as session:
        return list(await asyncio.gather(*[fetch_url(session, u, timeout=timeout) for u in urls]))


def summarize(results):
    results = tuple(results)
    return Summary(
        total=len(results),
        ok=len([r for r in results if r.ok]),
        by_status=dict(Counter(r.status for r in results if r.status)),
        no_response=len([r for r in results if r.status is None]),
        slowest=sorted(results, key=lambda r: r.elapsed)[-1].url if results else None,
    )
