"""Mocked HTTP for specs, on aioresponses: no request ever leaves the process.

The ``http_mock`` fixture gives a `MockHttp`. Latency is loop time, so a reply that
"takes" 30 s costs nothing. aioresponses ignores ``aiohttp.ClientTimeout``: a
timeout that a spec relies on must be an asyncio one (``asyncio.timeout``).

A slow body: aioresponses hands over a response whose body is all there. A `Reply` with
``body_latency`` (``reply(url, body=..., body_latency=30.0)``) is given, once aioresponses has
built it, a fresh ``aiohttp.StreamReader`` on the running loop that receives the body that many
seconds of loop time after the headers: ``read()``, ``text()`` and ``json()`` wait for it as
they would on a slow network, and a deadline that ends before the body ends cuts them short.

Released responses: a mocked response is opened as aiohttp's ``ClientResponse.start()`` opens a
real one, its end of body hooked to ``_response_eof``. So ``response.closed`` turns True as in
aiohttp: by ``release()``, ``close()``, leaving ``async with``, a failed ``read()``, or the whole
body having arrived. `MockHttp.unreleased()` lists the responses still open: a response still
open when the fetch is over holds its connection (only a slow body can leave one open).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import aiohttp
import aioresponses.core as aioresponses_core
from aioresponses import aioresponses
from yarl import URL

from specs import http_compat, timeline

http_compat.apply()


@dataclass(frozen=True)
class Reply:
    """One mocked response: a status with a JSON payload or a text body."""

    status: int = 200
    json: Any = None
    body: str = ""
    latency: float = 0.0
    content_type: str | None = None  # default: application/json with a JSON payload, else text
    body_latency: float = 0.0  # loop seconds from the headers to the end of the body


Answer = int | Reply | Exception  # a status, a full response, or an error to raise


class MockHttp:
    """Registers mocked URLs and tells which requests were made."""

    def __init__(self, mocked: aioresponses) -> None:
        self._mocked = mocked
        self._times: dict[tuple[str, URL], list[float]] = {}

    def reply(self, url: str, status: int = 200, *, json: Any = None, body: str = "",
              latency: float = 0.0, method: str = "GET", repeat: bool = True,
              content_type: str | None = None, body_latency: float = 0.0) -> None:
        """Answer `url` with `status`, after `latency` seconds of loop time; its body arrives
        `body_latency` seconds later still."""
        self._add(url, Reply(status, json, body, latency, content_type, body_latency),
                  method=method, repeat=repeat)

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

    def responses(self) -> list[aiohttp.ClientResponse]:
        """Every response handed out so far, in order."""
        return list(self._mocked._responses)

    def unreleased(self) -> list[aiohttp.ClientResponse]:
        """The responses handed out that are still open: neither released, closed, nor read to
        the end of a body that has arrived."""
        return [response for response in self._mocked._responses if not response.closed]

    def times(self, url: str, method: str = "GET") -> list[float]:
        """The loop times at which requests to `url` arrived, rounded to the microsecond."""
        return [round(t, 6) for t in self._times.get((method.upper(), URL(url)), [])]

    def _add(self, url: str, answer: Reply | Exception, *, method: str, repeat: bool,
             latency: float = 0.0) -> None:
        if isinstance(answer, Reply):
            latency = answer.latency

        arrivals = self._times.setdefault((method.upper(), URL(url)), [])

        row = request_row(method, url)

        async def wait(*_args: Any, **_kwargs: Any) -> None:
            loop = asyncio.get_running_loop()
            arrivals.append(loop.time())
            with timeline.drawing(row):
                if latency:
                    await asyncio.sleep(latency)
            timeline.record_mark(row, loop.time(), timeline.FAILED if isinstance(
                answer, Exception) else timeline.RETURNED)

        if isinstance(answer, Exception):
            self._mocked.add(url, method, exception=answer, repeat=repeat, callback=wait)
            return
        extra: dict[str, Any] = {}
        if answer.body_latency:
            extra["response_class"] = type("SlowBodyResponse", (_response_class(),),
                                           {"body_latency": answer.body_latency})
        self._mocked.add(url, method, status=answer.status, repeat=repeat, callback=wait, **extra,
                         payload=answer.json, body=answer.body,
                         content_type=answer.content_type or (
                             "application/json" if answer.json is not None else "text/plain"))


def request_row(method: str, url: str | URL) -> str:
    """A request's row in a timeline: ``GET svc0.example.com/health`` (the chart shortens
    what its rows share)."""
    where = URL(url)
    return f"{method.upper()} {where.host}{where.path.rstrip('/')}"


class _Wire:
    """The protocol a slow body's StreamReader reads from: a connection that stays up."""

    connected = True

    def pause_reading(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def resume_reading(self, *_args: Any, **_kwargs: Any) -> None:
        pass


def _response_class() -> type[aiohttp.ClientResponse]:
    """The class aioresponses builds responses of (http_compat may have swapped it)."""
    return aioresponses_core.ClientResponse  # type: ignore[attr-defined]


def _open(response: Any) -> None:
    """Open a mocked response as ``ClientResponse.start()`` opens a real one.

    A slow-bodied one gets its body `body_latency` seconds of loop time from now.
    """
    delay = getattr(response, "body_latency", 0.0)
    if delay:
        loop = asyncio.get_running_loop()
        body = b"".join(response.content._buffer)
        response.content = aiohttp.StreamReader(_Wire(), 2 ** 16, loop=loop)  # type: ignore[arg-type]

        def arrive() -> None:
            if response.content.exception() is None and not response.content.is_eof():
                response.content.feed_data(body)
                response.content.feed_eof()

        loop.call_later(delay, arrive)
    response._closed = False
    response.content.on_eof(response._response_eof)


@contextlib.contextmanager
def mocked_server() -> Iterator[aioresponses]:
    """aioresponses for the ``with`` block: every aiohttp request is answered by it.

    aioresponses patches aiohttp with an autospec mock, built anew at each start: once per spec
    or example, that was a tenth of the reference suite. The same answers are installed here
    by a plain function, which costs microseconds (aioresponses 0.7.9's ``_request_mock``).
    """
    mocked = aioresponses()

    async def request(session: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> Any:
        response = await mocked._request_mock(session, *args, **kwargs)
        _open(response)
        return response

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
