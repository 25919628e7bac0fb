"""Behaviour spec of kata 02: async HTTP with aiohttp. HTTP is mocked; times are loop time."""

import asyncio

import aiohttp
import pytest

from specs import (
    MockHttp,
    implementation,
    now,
    outcome,
    rejects,
    secs,
    sessions_opened,
    settle,
    show,
)

fetch = implementation("kata02_http", "fetch")

task1 = pytest.mark.task(1, "fetch one URL (fetch_url)")
task2 = pytest.mark.task(2, "failed fetches are results, not exceptions")
task3 = pytest.mark.task(3, "reject bad input clearly")
task4 = pytest.mark.task(4, "fetch many URLs at once (fetch_many)")
task5 = pytest.mark.task(5, "sum up a batch (summarize)")

API = "https://api.example.com"
STATUS = "http://status.example.org/health"


def result(url: str = API, status: int | None = 200, elapsed: float = 0.1,
           error: BaseException | None = None) -> object:
    return fetch.FetchResult(url, status, None if status is None else "", None, elapsed, error)


def no_response(result: object) -> str:
    """Why a result that should hold a response does not."""
    return f" (its error: {result.error!r})" if getattr(result, "error", None) else ""


@task1
@pytest.mark.parametrize("url", [API + "/ping", STATUS], ids=["https", "http"])
async def test_fetch_url_returns_the_response(url: str, http_mock: MockHttp) -> None:
    """returns the URL, status, text body and loop time of the fetch"""
    http_mock.reply(url, 200, body="pong", latency=0.4)
    await asyncio.sleep(1.0)  # elapsed counts from the call, not from the loop's start
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, url)
    assert (got.url, got.status, got.body) == (url, 200, "pong"), (
        f"GET {url} answered 200 'pong'. fetch_url returned url={got.url!r}, "
        f"status={got.status!r}, body={show(got.body)}{no_response(got)}"
    )
    assert got.elapsed == pytest.approx(0.4), (
        f"The response took 0.4 s of loop time; fetch_url reported elapsed={secs(got.elapsed)}. "
        "Measure with the event loop's clock, from the call to the end of the body"
    )
    assert got.error is None, f"a 200 response should have error=None, not {got.error!r}"


@task1
async def test_fetch_url_parses_json(http_mock: MockHttp) -> None:
    """parses the body of an application/json response into `json`"""
    http_mock.reply(API + "/status", json={"up": True, "checks": [1, 2]})
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API + "/status")
    assert got.json == {"up": True, "checks": [1, 2]}, (
        f"The server sent JSON {{'up': True, 'checks': [1, 2]}}; fetch_url returned "
        f"json={show(got.json)}{no_response(got)}"
    )
    assert got.body is not None and '"up"' in got.body, f"body should be the text, not {got.body!r}"


@task1
async def test_fetch_url_json_is_none_for_text(http_mock: MockHttp) -> None:
    """leaves `json` None when the response is not JSON"""
    http_mock.reply(API + "/text", body="plain words")
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API + "/text")
    assert got.json is None and got.body == "plain words", (
        f"A text/plain response gave json={show(got.json)}, body={show(got.body)}; "
        "expected json=None and the text as body"
    )


@task1
@pytest.mark.parametrize(("status", "ok"), [(200, True), (302, True), (399, True), (400, False),
                                            (503, False), (None, False)])
def test_result_ok(status: int | None, ok: bool) -> None:
    """`ok` is true when a response arrived with a status below 400"""
    got = result(status=status).ok
    assert got is ok, f"FetchResult(status={status}).ok returned {got!r}; expected {ok}"


@task1
async def test_fetch_url_leaves_the_session_open(http_mock: MockHttp) -> None:
    """does not close the session it was given: the caller owns it"""
    http_mock.reply(API, body="hi")
    async with aiohttp.ClientSession() as session:
        await fetch.fetch_url(session, API)
        assert not session.closed, (
            "fetch_url closed the session it was given; the caller may still need it"
        )


@task2
async def test_http_error_status_is_a_response(http_mock: MockHttp) -> None:
    """an HTTP error status (503) is a response: status and body kept, not an exception"""
    http_mock.reply(API, 503, body="down for maintenance")
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API)
    assert (got.status, got.body, got.ok) == (503, "down for maintenance", False), (
        f"The server answered 503 'down for maintenance'. fetch_url returned status="
        f"{got.status!r}, body={show(got.body)}, ok={got.ok!r}{no_response(got)}"
    )
    assert got.error is None, f"a response arrived, so error should be None, not {got.error!r}"


@task2
async def test_connection_error_is_a_result(http_mock: MockHttp) -> None:
    """a connection error gives a result with the error, no status, and the time it took"""
    http_mock.fail(API, latency=0.3)
    await asyncio.sleep(1.0)  # elapsed counts from the call, not from the loop's start
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API)
    assert got.url == API, f"a failed fetch should still name its URL; url={got.url!r}"
    assert isinstance(got.error, aiohttp.ClientError), (
        f"The connection failed. fetch_url returned error={got.error!r}; expected the "
        "aiohttp.ClientError that was raised"
    )
    assert (got.status, got.body, got.ok) == (None, None, False), (
        f"No response arrived, yet the result says status={got.status!r}, body={got.body!r}"
    )
    assert got.elapsed == pytest.approx(0.3), f"elapsed={secs(got.elapsed)}; the failure took 0.3 s"


@task2
@pytest.mark.parametrize(("timeout", "expected"), [(0.5, 0.5), (None, 10.0)],
                         ids=["timeout=0.5", "default"])
async def test_timeout_is_a_result(timeout: float | None, expected: float,
                                   http_mock: MockHttp) -> None:
    """a server that does not answer in time gives a TimeoutError result (default 10 s)"""
    http_mock.hang(API)
    kwargs = {} if timeout is None else {"timeout": timeout}
    async with aiohttp.ClientSession() as session:
        start = now()
        got = await fetch.fetch_url(session, API, **kwargs)
    took = now() - start
    assert isinstance(got.error, TimeoutError), (
        f"The server never answered. fetch_url(..., {kwargs or 'default timeout'}) returned "
        f"error={got.error!r}, status={got.status!r}; expected a TimeoutError result "
        "(use asyncio.timeout: aiohttp's own timeouts are not simulated here)"
    )
    assert took == pytest.approx(expected), (
        f"fetch_url gave up after {secs(took)} of loop time; it should give up after "
        f"{secs(expected)}"
    )


@task2
async def test_no_timeout_waits_as_long_as_it_takes(http_mock: MockHttp) -> None:
    """timeout=None waits for a slow response however long it takes"""
    http_mock.reply(API, body="slow but sure", latency=100.0)
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API, timeout=None)
    assert got.body == "slow but sure", (
        f"With timeout=None a 100 s response should arrive; got {show(got.body)}{no_response(got)}"
    )


@task2
async def test_cancellation_is_not_a_result(http_mock: MockHttp) -> None:
    """cancelling fetch_url cancels it: the cancellation is not turned into a result"""
    http_mock.reply(API, latency=5.0)
    async with aiohttp.ClientSession() as session:
        call = asyncio.create_task(fetch.fetch_url(session, API))
        await asyncio.sleep(1.0)
        call.cancel()
        result, error = await settle(call)
    assert isinstance(error, asyncio.CancelledError), (
        f"fetch_url was cancelled after 1 s and {outcome(result, error)}: catching "
        "CancelledError (or BaseException) swallows cancellation; catch aiohttp.ClientError "
        "and TimeoutError"
    )


@task3
@pytest.mark.parametrize("url", ["not a url", "ftp://files.example.com/x", "http://",
                                 "api.example.com/ping"])
async def test_rejects_invalid_urls(url: str, http_mock: MockHttp) -> None:
    """rejects a string that is not an http(s) URL with a host: ValueError naming it"""
    async with aiohttp.ClientSession() as session:
        await rejects(ValueError, lambda: fetch.fetch_url(session, url),
                      shown=f"fetch_url(session, {url!r})", named=url)


@task3
async def test_rejects_a_url_that_is_not_a_str() -> None:
    """rejects a URL that is not a str: TypeError"""
    async with aiohttp.ClientSession() as session:
        await rejects(TypeError, lambda: fetch.fetch_url(session, 42),
                      shown="fetch_url(session, 42)", named="42")


@task3
async def test_rejects_a_missing_session() -> None:
    """rejects a `session` that is not a ClientSession (arguments swapped): TypeError"""
    async with aiohttp.ClientSession() as session:
        await rejects(TypeError, lambda: fetch.fetch_url(API, session),
                      shown="fetch_url(url, session)", named="session")


@task3
@pytest.mark.parametrize(("timeout", "error"), [(0, ValueError), (-1.5, ValueError),
                                                ("abc", TypeError), (True, TypeError)])
async def test_rejects_a_bad_timeout(timeout: object, error: type[Exception],
                                     http_mock: MockHttp) -> None:
    """rejects a timeout that is not a positive number of seconds"""
    http_mock.reply(API)
    async with aiohttp.ClientSession() as session:
        await rejects(error, lambda: fetch.fetch_url(session, API, timeout=timeout),
                      shown=f"fetch_url(session, url, timeout={timeout!r})", named=str(timeout))
    assert http_mock.requests(API) == 0, "the request was sent before the timeout was checked"


@task4
async def test_fetch_many_is_concurrent(http_mock: MockHttp) -> None:
    """fetches concurrently: the batch takes as long as the slowest, results in input order"""
    urls = [f"{API}/{n}" for n in range(3)]
    for url, latency in zip(urls, [3.0, 1.0, 2.0], strict=True):
        http_mock.reply(url, body=url[-1], latency=latency)
    start = now()
    got = await fetch.fetch_many(urls)
    took = now() - start
    bodies = [r.body for r in got]
    assert bodies == ["0", "1", "2"], (
        f"fetch_many returned bodies {show(bodies)}; expected ['0', '1', '2'], in input order"
    )
    assert took == pytest.approx(3.0), (
        f"3 responses taking 3.0 s, 1.0 s and 2.0 s took {secs(took)} in all; "
        "fetched concurrently they take 3.0 s, the slowest"
    )


@task4
async def test_fetch_many_shares_one_session(http_mock: MockHttp) -> None:
    """uses one ClientSession for the whole batch, and closes it"""
    urls = [f"{API}/{n}" for n in range(3)]
    for url in urls:
        http_mock.reply(url)
    with sessions_opened() as opened:
        await fetch.fetch_many(urls)
    assert len(opened) == 1, (
        f"fetch_many opened {len(opened)} ClientSessions for 3 URLs; one shared session "
        "reuses connections: open it once, around all the fetches"
    )
    assert opened[0].closed, "fetch_many left its ClientSession open; `async with` closes it"


@task4
async def test_fetch_many_keeps_every_result(http_mock: MockHttp) -> None:
    """a failing URL (error status, connection error, timeout) does not cost the others"""
    urls = [f"{API}/ok", f"{API}/down", f"{API}/refused", f"{API}/hangs"]
    http_mock.reply(urls[0], json={"fine": True})
    http_mock.reply(urls[1], 503)
    http_mock.fail(urls[2])
    http_mock.hang(urls[3])
    start = now()
    got = await fetch.fetch_many(urls, timeout=2.0)
    took = now() - start
    statuses = [r.status for r in got]
    assert statuses == [200, 503, None, None], (
        f"fetch_many returned statuses {statuses}; expected [200, 503, None, None] "
        "(ok, HTTP error, connection error, timeout), one result per URL"
    )
    assert isinstance(got[3].error, TimeoutError), f"the hung URL gave error={got[3].error!r}"
    assert took == pytest.approx(2.0), (
        f"the batch took {secs(took)}; with timeout=2.0 the hung URL should give up at 2.0 s"
    )


@task4
async def test_fetch_many_default_timeout(http_mock: MockHttp) -> None:
    """gives up on a silent server after 10 s by default"""
    http_mock.hang(API)
    start = now()
    await fetch.fetch_many([API])
    assert now() - start == pytest.approx(10.0), f"gave up after {secs(now() - start)}, not 10 s"


@task4
async def test_fetch_many_closes_the_session_when_cancelled(http_mock: MockHttp) -> None:
    """closes its session even when it is cancelled mid-flight"""
    urls = [f"{API}/{n}" for n in range(2)]
    for url in urls:
        http_mock.reply(url, latency=5.0)
    with sessions_opened() as opened:
        call = asyncio.create_task(fetch.fetch_many(urls))
        await asyncio.sleep(1.0)
        call.cancel()
        result, error = await settle(call)
    assert isinstance(error, asyncio.CancelledError), (
        f"fetch_many was cancelled after 1 s and {outcome(result, error)}; the cancellation "
        "should propagate"
    )
    open_ = [s for s in opened if not s.closed]
    assert opened and not open_, (
        f"fetch_many was cancelled after 1 s and left {len(open_)} of {len(opened)} sessions "
        "open: `async with aiohttp.ClientSession()` closes it even on cancellation"
    )


@task4
async def test_fetch_many_checks_every_url_first(http_mock: MockHttp) -> None:
    """rejects a bad URL anywhere in the batch before sending any request"""
    http_mock.reply(API)
    await rejects(ValueError, lambda: fetch.fetch_many([API, "ftp://nope.example.com"]),
                  shown="fetch_many([good, 'ftp://nope.example.com'])", named="ftp://nope")
    assert http_mock.requests(API) == 0, (
        "fetch_many sent a request before finding the bad URL: check them all first"
    )


@task4
async def test_fetch_many_checks_the_timeout_first(http_mock: MockHttp) -> None:
    """rejects a bad timeout before sending any request"""
    http_mock.reply(API)
    await rejects(ValueError, lambda: fetch.fetch_many([API], timeout=-1),
                  shown="fetch_many([url], timeout=-1)", named="-1")
    assert http_mock.requests(API) == 0, "fetch_many sent a request before checking the timeout"


@task4
@pytest.mark.parametrize("urls", [API, 42], ids=["one str", "int"])
async def test_fetch_many_wants_a_collection(urls: object) -> None:
    """rejects a single URL string or a non-iterable in place of a collection: TypeError"""
    await rejects(TypeError, lambda: fetch.fetch_many(urls), shown=f"fetch_many({urls!r})",
                  named=str(urls))


@task4
async def test_fetch_many_with_no_urls() -> None:
    """an empty batch gives an empty list"""
    got = await fetch.fetch_many([])
    assert got == [], f"fetch_many([]) returned {show(got)}; expected []"


@task5
def test_summarize_counts_the_batch() -> None:
    """counts total, ok, responses per status and fetches with no response; names the slowest"""
    batch = [result(API + "/a", 200, 0.5), result(API + "/b", 302, 1.5),
             result(API + "/c", 404, 0.2), result(API + "/d", None, 2.0, TimeoutError()),
             result(API + "/e", 200, 0.1)]
    got = fetch.summarize(iter(batch))
    expected = fetch.Summary(total=5, ok=3, by_status={200: 2, 302: 1, 404: 1}, no_response=1,
                             slowest=API + "/d")
    assert tuple(got) == tuple(expected), (
        f"summarize on 200, 302, 404, a timeout and 200 (the timeout the slowest, 2.0 s) "
        f"returned {got!r}; expected {expected!r}"
    )


@task5
def test_summarize_nothing() -> None:
    """an empty batch sums up to zeros and no slowest URL"""
    got = fetch.summarize([])
    expected = (0, 0, {}, 0, None)
    assert tuple(got) == expected, f"summarize([]) returned {got!r}; expected {expected!r}"
