"""Kata 02: async HTTP with aiohttp.

Fetch URLs with an ``aiohttp.ClientSession``: one at a time with `fetch_url`,
many at once with `fetch_many`, and sum the results up with `summarize`.
A failed fetch is not an exception here: it is a `FetchResult` whose ``error``
says what went wrong, so one bad URL never costs you the others' results.

Read README.md for the tasks, run ``./tox -e kata2`` to see what is left to do.
"""

from __future__ import annotations

import asyncio  # noqa: F401  (you will need it)
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import aiohttp
from yarl import URL  # noqa: F401  (URL(text).scheme and .host help to check a URL)


@dataclass(frozen=True)
class FetchResult:
    """What one GET gave: a response, or the error that stood in its way.

    ``url`` is the URL as it was given. ``status``, ``body`` (the text) and
    ``json`` (the parsed body when the media type is ``application/json`` or
    ``application/...+json``, else None; a JSON ``null`` or an empty body is None too)
    are None when no response arrived; then ``error`` holds the exception
    (an ``aiohttp.ClientError`` or a ``TimeoutError``). A response whose JSON
    does not parse keeps status and body, its ``ValueError`` in ``error``; an
    HTTP error status has ``error`` None. ``elapsed`` is the seconds of loop
    time from the call to the end of the fetch.
    """

    url: str
    status: int | None
    body: str | None
    json: Any
    elapsed: float
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when a response arrived and its status is below 400."""
        raise NotImplementedError("TODO: task 1, tell a good result from a bad one")


class Summary(NamedTuple):
    """A batch of results in figures.

    ``total`` results, ``ok`` of them ok, ``by_status`` counts responses per status
    code (``{200: 3, 503: 1}``), ``no_response`` counts fetches that got no response
    at all, ``slowest`` is the URL of the longest fetch (any of them if several tie;
    None for no results).
    """

    total: int
    ok: int
    by_status: dict[int, int]
    no_response: int
    slowest: str | None


async def fetch_url(session: aiohttp.ClientSession, url: str, *,
                    timeout: float | None = 10.0) -> FetchResult:
    """GET `url` with `session` and return a `FetchResult`; never raise for a failed fetch.

    An HTTP error status (404, 503) is a response like any other. A connection
    error, or no complete response, body included, within `timeout` seconds (an
    asyncio timeout; None or math.inf: no limit), gives a result with ``error``
    set and ``status`` None. The session belongs to the caller: use it, do not
    close it; release the response whatever happens. A cancellation
    is not a failed fetch: it propagates at once, the request cancelled with it.
    Raises TypeError when `session` is not a ClientSession, `url` not a str or
    `timeout` not a number (a bool is not); ValueError when `url` is not an
    http(s) URL with a host, or `timeout` is not positive (NaN is not). Each message shows
    the bad value (for `session`, naming the argument will do); nothing is sent then.
    """
    raise NotImplementedError("TODO: tasks 1 to 3, fetch one URL")


async def fetch_many(urls: Iterable[str], *, timeout: float | None = 10.0) -> list[FetchResult]:
    """Fetch every URL concurrently over one ClientSession; results in input order.

    One result per URL listed (a URL listed twice is fetched twice); `urls` may be
    a generator. Returns as soon as the slowest fetch ends, not after the sum. The
    session is closed before the call ends, whatever happens (errors, cancellation).
    Cancelling `fetch_many` cancels every fetch in flight: it propagates at once.
    Every URL is checked before any request is made (TypeError/ValueError as
    `fetch_url`; TypeError for a single str or bytes, or a non-iterable, instead of a
    collection of URLs).
    """
    raise NotImplementedError("TODO: tasks 3 and 5, fetch many URLs at once; "
                              "TODO: task 6, check every argument first")


def summarize(results: Iterable[FetchResult]) -> Summary:
    """Count `results`: total, ok, responses per status, fetches with no response; the slowest."""
    raise NotImplementedError("TODO: task 4, sum up a batch of results")
