"""Mocked HTTP for specs, on aioresponses: no request ever leaves the process.

The ``http_mock`` fixture gives a `MockHttp`. Latency is loop time, so a reply that
"takes" 30 s costs nothing. aioresponses ignores ``aiohttp.ClientTimeout``: a
timeout that a spec relies on must be an asyncio one (``asyncio.timeout``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import aiohttp
from aioresponses import aioresponses
from yarl import URL

from specs import http_compat

http_compat.apply()


@dataclass(frozen=True)
class Reply:
    """One mocked response: a status with a JSON payload or a text body."""

    status: int = 200
    json: Any = None
    body: str = ""
    latency: float = 0.0
    content_type: str | None = None  # default: application/json with a JSON payload, else text


Answer = int | Reply | Exception  # a status, a full response, or an error to raise


class MockHttp:
    """Registers mocked URLs and tells which requests were made."""

    def __init__(self, mocked: aioresponses) -> None:
        self._mocked = mocked
        self._times: dict[tuple[str, URL], list[float]] = {}

    def reply(self, url: str, status: int = 200, *, json: Any = None, body: str = "",
              latency: float = 0.0, method: str = "GET", repeat: bool = True,
              content_type: str | None = None) -> None:
        """Answer `url` with `status`, after `latency` seconds of loop time."""
        self._add(url, Reply(status, json, body, latency, content_type), method=method,
                  repeat=repeat)

    def fail(self, url: str, error: Exception | None = None, *, latency: float = 0.0,
             method: str = "GET", repeat: bool = True) -> None:
        """Make requests to `url` raise `error` (a connection error by default)."""
        error = error or aiohttp.ClientConnectionError(f"Cannot connect to host {URL(url).host}")
        self._add(url, error, method=method, repeat=repeat, latency=latency)

    def hang(self, url: str, *, method: str = "GET") -> None:
        """A server that answers only after 200 s: past any sane timeout, within the budget."""
        self.reply(url, latency=200.0, body="too late", method=method)

    def sequence(self, url: str, answers: list[Answer], *, method: str = "GET") -> None:
        """Answer successive requests to `url` with `answers`, in order, once each.

        An int is a status, a `Reply` a full response, an exception is raised.
        """
        for answer in answers:
            if isinstance(answer, int):
                answer = Reply(answer, body=f"status {answer}")
            self._add(url, answer, method=method, repeat=False)

    def requests(self, url: str, method: str = "GET") -> int:
        """How many requests were made to `url` with `method`."""
        return len(self._mocked.requests.get((method.upper(), URL(url)), []))

    def times(self, url: str, method: str = "GET") -> list[float]:
        """The loop times at which requests to `url` arrived, rounded to the microsecond."""
        return [round(t, 6) for t in self._times.get((method.upper(), URL(url)), [])]

    def _add(self, url: str, answer: Reply | Exception, *, method: str, repeat: bool,
             latency: float = 0.0) -> None:
        if isinstance(answer, Reply):
            latency = answer.latency

        arrivals = self._times.setdefault((method.upper(), URL(url)), [])

        async def wait(*_args: Any, **_kwargs: Any) -> None:
            arrivals.append(asyncio.get_running_loop().time())
            if latency:
                await asyncio.sleep(latency)

        if isinstance(answer, Exception):
            self._mocked.add(url, method, exception=answer, repeat=repeat, callback=wait)
            return
        self._mocked.add(url, method, status=answer.status, repeat=repeat, callback=wait,
                         payload=answer.json, body=answer.body,
                         content_type=answer.content_type or (
                             "application/json" if answer.json is not None else "text/plain"))


@contextlib.contextmanager
def mocked_server() -> Iterator[aioresponses]:
    """aioresponses for the ``with`` block: every aiohttp request is answered by it.

    aioresponses patches aiohttp with an autospec mock, built anew at each start: once per spec
    or example, that was a tenth of the reference suite. The same answers are installed here
    by a plain function, which costs microseconds (aioresponses 0.7.9's ``_request_mock``).
    """
    mocked = aioresponses()

    async def request(session: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> Any:
        return await mocked._request_mock(session, *args, **kwargs)

    mocked.patcher = mock.patch.object(  # type: ignore[assignment]
        aiohttp.ClientSession, "_request", request)
    with mocked:
        yield mocked


@contextlib.contextmanager
def mocked_http() -> Iterator[MockHttp]:
    """The ``http_mock`` fixture's mock: every aiohttp request is answered by it."""
    with mocked_server() as mocked:
        yield MockHttp(mocked)


@contextlib.contextmanager
def sessions_opened() -> Iterator[list[aiohttp.ClientSession]]:
    """Collects every aiohttp.ClientSession created inside the ``with`` block."""
    opened: list[aiohttp.ClientSession] = []
    real_init = aiohttp.ClientSession.__init__

    def init(session: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        real_init(session, *args, **kwargs)
        opened.append(session)

    aiohttp.ClientSession.__init__ = init  # type: ignore[method-assign,assignment]
    try:
        yield opened
    finally:
        aiohttp.ClientSession.__init__ = real_init  # type: ignore[method-assign]
