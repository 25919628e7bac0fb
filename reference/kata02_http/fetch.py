"""Kata 02: async HTTP with aiohttp (reference solution)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import aiohttp
from yarl import URL


@dataclass(frozen=True)
class FetchResult:
    """What one GET gave: a response, or the error that stood in its way."""

    url: str
    status: int | None
    body: str | None
    json: Any
    elapsed: float
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """A response arrived and its status is below 400."""
        return self.status is not None and self.status < 400


class Summary(NamedTuple):
    """A batch of results in figures."""

    total: int
    ok: int
    by_status: dict[int, int]
    no_response: int
    slowest: str | None


def _check_url(url: object) -> str:
    if not isinstance(url, str):
        raise TypeError(f"a URL must be a str, got {url!r}")
    parsed = URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    return url


def _check_timeout(timeout: object) -> None:
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"timeout must be a number of seconds or None, got {timeout!r}")
    if not timeout > 0:  # NaN is not positive either
        raise ValueError(f"timeout must be positive, got {timeout!r}")


def _is_json(media_type: str) -> bool:
    """application/json, or a JSON-based type such as application/problem+json."""
    media = media_type.lower()
    return media == "application/json" or (media.startswith("application/")
                                            and media.endswith("+json"))


async def fetch_url(session: aiohttp.ClientSession, url: str, *,
                    timeout: float | None = 10.0) -> FetchResult:
    """GET `url` with `session`; failures come back as results, never as exceptions.

    The timeout covers the whole fetch, body included; the response is released whatever happens.
    A cancellation is not a failed fetch: it propagates at once, the request cancelled with it.
    """
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError(f"session must be an aiohttp.ClientSession, got {session!r}")
    _check_url(url)
    _check_timeout(timeout)
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        async with asyncio.timeout(timeout), session.get(url) as response:
            body = await response.text()
            data, bad_json = None, None
            if _is_json(response.content_type):
                try:
                    data = await response.json()  # an empty body gives None
                except ValueError as error:
                    bad_json = error
    except (aiohttp.ClientError, TimeoutError) as error:
        return FetchResult(url, None, None, None, loop.time() - start, error)
    return FetchResult(url, response.status, body, data, loop.time() - start, bad_json)


async def fetch_many(urls: Iterable[str], *, timeout: float | None = 10.0) -> list[FetchResult]:
    """Fetch every URL concurrently over one session; results in input order.

    Cancelling it cancels every fetch in flight: the cancellation propagates at once.
    """
    if isinstance(urls, str | bytes) or not isinstance(urls, Iterable):
        raise TypeError(f"urls must be an iterable of URLs, got {urls!r}")
    checked = [_check_url(url) for url in urls]
    _check_timeout(timeout)
    async with aiohttp.ClientSession() as session, asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch_url(session, url, timeout=timeout)) for url in checked]
    return [task.result() for task in tasks]


def summarize(results: Iterable[FetchResult]) -> Summary:
    """Count the results: total, ok, per status, without a response; name the slowest."""
    results = list(results)
    statuses = Counter(r.status for r in results if r.status is not None)
    slowest = max(results, key=lambda r: r.elapsed, default=None)
    return Summary(
        total=len(results),
        ok=sum(r.ok for r in results),
        by_status=dict(statuses),
        no_response=sum(r.status is None for r in results),
        slowest=slowest.url if slowest else None,
    )
