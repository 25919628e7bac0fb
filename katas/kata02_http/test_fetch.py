"""Behaviour spec of kata 02: async HTTP with aiohttp. HTTP is mocked; times are loop time."""

import asyncio
import math
from typing import Any

import aiohttp
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import (
    MockHttp,
    implementation,
    listing,
    mocked_http,
    now,
    outcome,
    rejects,
    secs,
    sessions_opened,
    settle,
    show,
    timeline,
)
from specs.checks import names, same_time, shows
from specs.http import request_row
from specs.properties import durations, iterable_shapes, run_virtual, shaped
from specs.timeline import expect_caller

fetch = implementation("kata02_http", "fetch")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)
task6 = pytest.mark.task(6)

API = "https://api.example.com"
STATUS = "http://status.example.org/health"


def result(url: str = API, status: int | None = 200, elapsed: float = 0.1,
           error: BaseException | None = None) -> object:
    return fetch.FetchResult(url, status, None if status is None else "", None, elapsed, error)


def expect_request(url: str, start: float, end: float, kind: str = timeline.RETURNED) -> None:
    """The timeline the contract expects of a GET of `url`: sent at `start`, over at `end`
    (answered, failed or cancelled: `kind`)."""
    timeline.expect(request_row("GET", url), start, end)
    timeline.expect(request_row("GET", url), end, kind=kind)

def no_response(result: object) -> str:
    """Why a result that should hold a response does not."""
    return f" (its error: {result.error!r})" if getattr(result, "error", None) else ""


# --- task 1: fetch one URL --------------------------------------------------------------------

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
    assert same_time(got.elapsed, 0.4), (
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
@pytest.mark.parametrize(("text", "media_type"), [
    ("plain words", "text/plain"), ('{"looks": ["like", "json"]}', "text/plain"),
    ("0", "text/plain"), ('{"looks": "like json"}', "application/xml"),
    ('{"looks": "like json"}', "text/json"), ("[1, 2]", "text/x+json")],
    ids=["words", "json-like object", "json-like number", "application/xml", "text/json",
         "text/x+json"])
async def test_fetch_url_json_is_none_for_text(text: str, media_type: str,
                                               http_mock: MockHttp) -> None:
    """json is None unless the Content-Type is application/json or application/...+json

    Leaves `json` None when the response is not JSON, even if its text would parse as JSON:
    only application/json and application/...+json are JSON.
    """
    http_mock.reply(API + "/text", body=text, content_type=media_type)
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API + "/text")
    assert got.json is None and got.body == text and got.error is None, (
        f"A {media_type} response {text!r} gave json={show(got.json)}, body={show(got.body)}, "
        f"error={got.error!r}; expected json=None, the text as body and error None: only an "
        "application/json or application/...+json response is parsed, whatever its text "
        "looks like"
    )


@pytest.mark.parametrize("media_type", [
    pytest.param("application/problem+json", marks=task5),
    pytest.param("application/vnd.api+json", marks=task5),
    pytest.param("Application/JSON", marks=task1)])  # aiohttp lower-cases the media type
async def test_fetch_url_parses_json_based_types(media_type: str, http_mock: MockHttp) -> None:
    """parses a JSON-based media type too: application/problem+json, any application/...+json"""
    http_mock.reply(API + "/problem", 404, body='{"title": "Not Found"}', content_type=media_type)
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API + "/problem")
    assert got.json == {"title": "Not Found"} and got.error is None, (
        f"A 404 response of Content-Type {media_type} with body '{{\"title\": \"Not Found\"}}' "
        f"gave json={show(got.json)}, error={got.error!r}{no_response(got)}; expected the parsed "
        "JSON and error None: application/json and every application/...+json type are JSON "
        "(media types are case-insensitive)"
    )


@task1
@pytest.mark.parametrize("text", ["null", "", " \n"], ids=["null", "empty", "blank"])
async def test_fetch_url_null_or_empty_json_is_none(text: str, http_mock: MockHttp) -> None:
    """a JSON `null` body, or an empty one, gives json None and no error

    A JSON `null` body, or an empty one, gives json None and no error; the body tells them
    apart from a response that is not JSON.
    """
    http_mock.reply(API + "/nothing", body=text, content_type="application/json")
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API + "/nothing")
    assert (got.status, got.body, got.json, got.error) == (200, text, None, None), (
        f"An application/json response with body {text!r} gave status={got.status!r}, "
        f"body={show(got.body)}, json={show(got.json)}, error={got.error!r}; expected status "
        f"200, body {text!r}, json None and error None: "
        + ("JSON null parses to None" if text == "null" else
           "an empty JSON body holds no value, like aiohttp's response.json(): None, not an error")
    )


@task1
@pytest.mark.parametrize(("status", "ok"), [(100, True), (200, True), (302, True), (399, True),
                                            (400, False), (503, False), (None, False)])
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


@task1
async def test_http_error_status_is_a_response(http_mock: MockHttp) -> None:
    """an HTTP error status (503) is a response: status and body kept, not an exception"""
    http_mock.reply(API, 503, body="down for maintenance")
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API)
    assert (got.status, got.body, got.ok) == (503, "down for maintenance", False), (
        f"The server answered 503 'down for maintenance'. fetch_url returned status="
        f"{got.status!r}, body={show(got.body)}, ok={got.ok!r}{no_response(got)}"
    )
    assert got.error is None, (
        f"A 503 response is a response, not a failed fetch: error should be None, not "
        f"{got.error!r}; `ok` and `status` tell an HTTP error")


@task1
async def test_no_timeout_waits_as_long_as_it_takes(http_mock: MockHttp) -> None:
    """timeout=None waits for a slow response however long it takes"""
    http_mock.reply(API, body="slow but sure", latency=100.0)
    expect_request(API, 0.0, 100.0)
    async with aiohttp.ClientSession() as session:
        got = await fetch.fetch_url(session, API, timeout=None)
    assert got.body == "slow but sure", (
        f"With timeout=None a 100 s response should arrive; got {show(got.body)}{no_response(got)}"
    )


@task1
@pytest.mark.parametrize("timeout", [math.inf, 1e300])
async def test_an_infinite_timeout_is_no_limit(timeout: float, http_mock: MockHttp) -> None:
    """timeout=math.inf is no limit, as None is: a 100 s response arrives"""
    http_mock.reply(API, body="slow but sure", latency=100.0)
    expect_request(API, 0.0, 100.0)
    expect_caller(0.0, 100.0)
    async with aiohttp.ClientSession() as session:
        got, raised = await settle(fetch.fetch_url(session, API, timeout=timeout))
    assert raised is None and got.body == "slow but sure", (
        f"fetch_url(session, url, timeout={timeout!r}) on a 100 s response "
        + (f"{outcome(got, raised)}" if raised else f"gave body={show(got.body)}"
           f"{no_response(got)}")
        + f"; expected the response: a timeout of {timeout!r} seconds never ends, like None")


@task1
async def test_cancellation_is_not_a_result(http_mock: MockHttp) -> None:
    """cancelling fetch_url cancels it at once, request and all: the cancellation is not
    turned into a result"""
    http_mock.reply(API, latency=5.0)
    expect_request(API, 0.0, 1.0, timeline.CANCELLED)  # cancelled with the call
    expect_caller(1.0, 1.0, timeline.CANCELLED)
    async with aiohttp.ClientSession() as session:
        call = asyncio.create_task(fetch.fetch_url(session, API))
        await asyncio.sleep(1.0)
        call.cancel()
        result, error = await settle(call)
        ended = now()
    assert isinstance(error, asyncio.CancelledError), (
        f"fetch_url was cancelled after 1 s and {outcome(result, error)}: catching "
        "CancelledError (or BaseException) swallows cancellation; catch aiohttp.ClientError "
        "and TimeoutError"
    )
    assert same_time(ended, 1.0), (
        f"fetch_url was cancelled at 1.0 s, its response due at 5.0 s; the cancellation reached "
        f"the caller at {secs(ended)}. A cancelled fetch stops at once: cancel the request "
        "with it, do not wait for the response"
    )


async def _fetch_and_stop(session: aiohttp.ClientSession, url: str, cancel_at: float | None,
                          timeout: float) -> tuple[Any, BaseException | None]:
    call = asyncio.create_task(fetch.fetch_url(session, url, timeout=timeout))
    if cancel_at is not None:
        await asyncio.sleep(cancel_at)
        call.cancel()
    return await settle(call)


RELEASES = {  # situation: (status, body, content type, body latency, timeout, cancelled at)
    "a 200 whose body takes 1 s": (200, "fine", None, 1.0, 10.0, None),
    "a 503 whose body takes 1 s": (503, "down", None, 1.0, 10.0, None),
    "bad JSON whose body takes 1 s": (200, "{not json", "application/json", 1.0, 10.0, None),
    "a timeout at 2 s in the middle of a 50 s body": (200, "slow", None, 50.0, 2.0, None),
    "a cancellation at 2 s in the middle of a 50 s body": (200, "slow", None, 50.0, 10.0, 2.0),
}


@pytest.mark.parametrize("situation", [  # bad JSON is task 2's; the rest hold from task 1 on
    pytest.param(situation, marks=task2 if "JSON" in situation else task1, id=situation)
    for situation in RELEASES])
async def test_every_response_is_released(situation: str, http_mock: MockHttp) -> None:
    """releases every response before it returns, whatever happened

    Releases the response by the time it returns, whatever happened: success, an HTTP error,
    bad JSON, a timeout or a cancellation in the middle of the body.
    """
    status, body, content_type, body_latency, timeout, cancel_at = RELEASES[situation]
    http_mock.reply(API, status, body=body, content_type=content_type, body_latency=body_latency)
    async with aiohttp.ClientSession() as session:
        got, raised = await _fetch_and_stop(session, API, cancel_at, timeout)
        left_open = http_mock.unreleased()
        http_mock_responses = len(http_mock.responses())
        for response in left_open:
            response.close()
    expected = asyncio.CancelledError if cancel_at is not None else type(None)
    assert isinstance(raised, expected) and http_mock_responses == 1, (
        f"After {situation}, fetch_url {outcome(got, raised)} having received "
        f"{http_mock_responses} response(s); expected "
        + ("the cancellation to propagate" if cancel_at is not None else "a result")
        + " for the one response the server sent")
    assert not left_open, (
        f"After {situation}, fetch_url {outcome(got, raised)} and left {len(left_open)} of "
        f"{http_mock_responses} response(s) open: an unreleased response holds its connection "
        "until garbage collection. `async with session.get(url) as response:` releases it "
        "whatever happens (read(), text() and json() release it only once the body is in)"
    )


# --- task 2: failed fetches are results -------------------------------------------------------

@task2
@pytest.mark.parametrize("status", [200, 500])
async def test_invalid_json_is_a_result(status: int, http_mock: MockHttp) -> None:
    """a body that is not the JSON its Content-Type announces gives the ValueError in `error`

    A body that is not the JSON its Content-Type announces keeps status and body, json None,
    and the ValueError in `error`.
    """
    http_mock.reply(API, status, body="{not json", content_type="application/json")
    async with aiohttp.ClientSession() as session:
        got, raised = await settle(fetch.fetch_url(session, API))
    assert raised is None, (
        f"An application/json {status} response with body '{{not json' made fetch_url "
        f"{outcome(got, raised)}; a failed parse is a result, not an exception")
    assert (got.status, got.body, got.json, got.ok) == (status, "{not json", None, status < 400), (
        f"An application/json {status} response with body '{{not json' gave status="
        f"{got.status!r}, body={show(got.body)}, json={show(got.json)}, ok={got.ok!r}; expected "
        f"status {status}, the body, json None and ok {status < 400}: a response arrived"
    )
    assert isinstance(got.error, ValueError), (
        f"An application/json response with body '{{not json' gave error={got.error!r}; expected "
        "the ValueError (json.JSONDecodeError) that parsing raised, so that the caller can tell "
        "bad JSON from a JSON null"
    )


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
    assert same_time(got.elapsed, 0.3), f"elapsed={secs(got.elapsed)}; the failure took 0.3 s"


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
        expect_request(API, start, start + expected, timeline.CANCELLED)  # cut at the limit
        got = await fetch.fetch_url(session, API, **kwargs)
    took = now() - start
    assert isinstance(got.error, TimeoutError), (
        "The server never answered. fetch_url(session, url"
        + (f", timeout={timeout!r})" if kwargs else ") with the default timeout") + " returned "
        f"error={got.error!r}, status={got.status!r}; expected a TimeoutError result "
        "(use asyncio.timeout: aiohttp's own timeouts are not simulated here)"
    )
    assert same_time(took, expected), (
        f"fetch_url gave up after {secs(took)} of loop time; it should give up after "
        f"{secs(expected)}"
    )


@task2
@pytest.mark.parametrize(("timeout", "expected"), [(2.0, 2.0), (None, 10.0)],
                         ids=["timeout=2", "default"])
async def test_timeout_covers_the_body(timeout: float | None, expected: float,
                                       http_mock: MockHttp) -> None:
    """the time limit covers the whole fetch, the body included

    The time limit covers the whole fetch, body included: headers in 0.5 s and a body that
    takes 200 s more give a TimeoutError result at the limit.
    """
    http_mock.reply(API, body="too late", latency=0.5, body_latency=200.0)
    kwargs = {} if timeout is None else {"timeout": timeout}
    expect_request(API, 0.0, 0.5)  # the headers; the body is cut at the limit
    expect_caller(expected, expected)  # a result, at the limit (settled once it is done)
    async with aiohttp.ClientSession() as session:
        call = asyncio.create_task(fetch.fetch_url(session, API, **kwargs))
        done, _ = await asyncio.wait({call}, timeout=expected + 5.0)
        if not done:
            call.cancel()
        got, raised = await settle(call)
        ended = now()
    assert done and raised is None and isinstance(got.error, TimeoutError), (
        "The headers came after 0.5 s, the body 200 s later. fetch_url(session, url"
        + (f", timeout={timeout!r})" if kwargs else ") with the default timeout") + " " + (
            f"{outcome(got, raised)}" if done else f"was still running at {secs(expected + 5.0)}")
        + f"; expected a TimeoutError result at {secs(expected)}: the limit covers the whole "
        "fetch, the body read included (read the body inside the asyncio.timeout block)"
    )
    assert same_time(ended, expected) and same_time(got.elapsed, expected), (
        f"fetch_url gave up at {secs(ended)} with elapsed={secs(got.elapsed)}; the limit of "
        f"{secs(expected)} from the call covers headers and body"
    )


# --- task 3: fetch many URLs at once ----------------------------------------------------------

@task3
async def test_fetch_many_is_concurrent(http_mock: MockHttp) -> None:
    """fetches concurrently: the batch takes as long as the slowest, results in input order"""
    urls = [f"{API}/{n}" for n in range(3)]
    for url, latency in zip(urls, [3.0, 1.0, 2.0], strict=True):
        http_mock.reply(url, body=url[-1], latency=latency)
    start = now()
    for url, latency in zip(urls, [3.0, 1.0, 2.0], strict=True):
        expect_request(url, start, start + latency)  # all sent at once
    got = await fetch.fetch_many(urls)
    took = now() - start
    bodies = [r.body for r in got]
    assert bodies == ["0", "1", "2"], (
        f"fetch_many returned bodies {show(bodies)}; expected ['0', '1', '2'], in input order"
    )
    assert same_time(took, 3.0), (
        f"3 responses taking 3.0 s, 1.0 s and 2.0 s took {secs(took)} in all; "
        "fetched concurrently they take 3.0 s, the slowest"
    )


@task3
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


@task3
async def test_fetch_many_keeps_every_result(http_mock: MockHttp) -> None:
    """a failing URL (error status, connection error, timeout) does not cost the others"""
    urls = [f"{API}/ok", f"{API}/down", f"{API}/refused", f"{API}/hangs"]
    http_mock.reply(urls[0], json={"fine": True})
    http_mock.reply(urls[1], 503)
    http_mock.fail(urls[2])
    http_mock.hang(urls[3])
    start = now()
    for url, end, kind in zip(urls, [0.0, 0.0, 0.0, 2.0], [timeline.RETURNED, timeline.RETURNED,
                                                           timeline.FAILED, timeline.CANCELLED],
                              strict=True):
        expect_request(url, start, start + end, kind)
    got = await fetch.fetch_many(urls, timeout=2.0)
    took = now() - start
    statuses = [r.status for r in got]
    assert statuses == [200, 503, None, None], (
        f"fetch_many returned statuses {statuses}; expected [200, 503, None, None] "
        "(ok, HTTP error, connection error, timeout), one result per URL"
    )
    assert isinstance(got[3].error, TimeoutError), f"the hung URL gave error={got[3].error!r}"
    assert same_time(took, 2.0), (
        f"the batch took {secs(took)}; with timeout=2.0 the hung URL should give up at 2.0 s"
    )


@task3
async def test_fetch_many_default_timeout(http_mock: MockHttp) -> None:
    """gives up on a silent server after 10 s by default"""
    http_mock.hang(API)
    start = now()
    expect_request(API, start, start + 10.0, timeline.CANCELLED)
    await fetch.fetch_many([API])
    assert same_time(now() - start, 10.0), f"gave up after {secs(now() - start)}, not 10 s"


@task3
async def test_fetch_many_closes_the_session_when_cancelled(http_mock: MockHttp) -> None:
    """cancelled mid-flight, it cancels every fetch at once and still closes its session"""
    urls = [f"{API}/{n}" for n in range(2)]
    for url in urls:
        http_mock.reply(url, latency=5.0)
        expect_request(url, 0.0, 1.0, timeline.CANCELLED)  # every fetch cancelled with the call
    expect_caller(1.0, 1.0, timeline.CANCELLED)
    with sessions_opened() as opened:
        call = asyncio.create_task(fetch.fetch_many(urls))
        await asyncio.sleep(1.0)
        call.cancel()
        result, error = await settle(call)
        ended = now()
    assert isinstance(error, asyncio.CancelledError), (
        f"fetch_many was cancelled after 1 s and {outcome(result, error)}; the cancellation "
        "should propagate"
    )
    open_ = [s for s in opened if not s.closed]
    assert opened and not open_, (
        f"fetch_many was cancelled after 1 s and left {len(open_)} of {len(opened)} sessions "
        "open: `async with aiohttp.ClientSession()` closes it even on cancellation"
    )
    assert same_time(ended, 1.0), (
        f"fetch_many was cancelled at 1.0 s, its responses due at 5.0 s; the cancellation "
        f"reached the caller at {secs(ended)}. Cancelling fetch_many cancels every fetch in "
        "flight and ends at once: do not wait for the responses"
    )


@task3
async def test_fetch_many_timeout_covers_the_body(http_mock: MockHttp) -> None:
    """the time limit of each fetch covers its body

    The time limit of each fetch covers its body: a body that never ends gives a TimeoutError
    result, and the batch ends at the limit.
    """
    http_mock.reply(API, body="too late", latency=0.5, body_latency=200.0)
    http_mock.reply(STATUS, body="fine")
    expect_request(API, 0.0, 0.5)  # the headers; the body is cut at the limit
    expect_request(STATUS, 0.0, 0.0)
    expect_caller(3.0, 3.0)  # the batch's results, at the limit (settled once it is done)
    call = asyncio.create_task(fetch.fetch_many([API, STATUS], timeout=3.0))
    done, _ = await asyncio.wait({call}, timeout=10.0)
    if not done:
        call.cancel()
    got, raised = await settle(call)
    errors = [type(r.error).__name__ if r.error else None for r in got or []]
    assert done and raised is None and errors == ["TimeoutError", None], (
        "The first URL's headers came after 0.5 s and its body 200 s later. "
        "fetch_many(urls, timeout=3.0) " + (outcome(got, raised) if done else
                                            "was still running at 10.0 s")
        + f" (errors {errors}); expected a TimeoutError result for it at 3.0 s, the second "
        "fine: the limit covers each whole fetch, body included")
    assert same_time(now(), 3.0), f"the batch ended at {secs(now())}; its limit was 3.0 s"
    left_open = http_mock.unreleased()
    for response in left_open:
        response.close()
    assert not left_open, (
        f"fetch_many returned with {len(left_open)} response(s) still open, the one whose body "
        "was cut short by the time limit among them: release every response "
        "(`async with session.get(url) as response:`)")


@task3
async def test_fetch_many_with_no_urls() -> None:
    """an empty batch gives an empty list"""
    got = await fetch.fetch_many([])
    assert got == [], f"fetch_many([]) returned {show(got)}; expected []"


# --- task 4: sum up a batch -------------------------------------------------------------------

@task4
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


# --- properties: any server, any batch (tasks 4 and 5) ----------------------------------------

STATUSES = [200, 201, 404, 418, 500, 503]


BODIES = ["", "0", "pong", "ünïcode ✓"]


PAYLOADS = [{}, [], 0, False, "", {"up": True, "n": [1, 2]}]


# A JSON response's Content-Type may carry parameters, or be JSON-based (+json): it is JSON.
KINDS = ["text", "json", "json; charset=utf-8", "problem+json", "refused"]


def server(kind: str, status: int, body: str, payload: Any) -> str:
    if "json" in kind:
        return f"answers {status} JSON {payload!r} (Content-Type: application/{kind})"
    return {"text": f"answers {status} {body!r}", "refused": "refuses the connection"}[kind]


def register(http: MockHttp, url: str, kind: str, status: int, body: str, payload: Any,
             latency: float) -> None:
    if kind == "refused":
        http.fail(url, latency=latency)
    elif "json" in kind:
        http.reply(url, status, json=payload, latency=latency, content_type=f"application/{kind}")
    else:
        http.reply(url, status, body=body, latency=latency)


def expect(result: Any, url: str, kind: str, status: int, body: str, payload: Any,
           latency: float, limit: float | None) -> str | None:
    """What is wrong with `result` (None: nothing) for a server `kind` that answers after
    `latency` seconds, fetched with a time limit of `limit` seconds."""
    if limit is not None and latency > limit:
        wanted = (url, None, None, None, limit, TimeoutError)
        how = f"a TimeoutError result after {secs(limit)}"
    elif kind == "refused":
        wanted = (url, None, None, None, latency, aiohttp.ClientError)
        how = f"an aiohttp.ClientError result after {secs(latency)}"
    else:
        json = "json" in kind
        wanted = (url, status, None if json else body, payload if json else None, latency, None)
        how = (f"url, status {status}, " + (f"json {payload!r}" if json else
                                             f"body {body!r} and json None")
               + f", elapsed {secs(latency)}, error None")
    if result.url != url:
        return (f"got url={result.url!r}; expected {url!r}, the URL as it was given (not as "
                "aiohttp normalised it), so that the caller can tell which result is which")
    error_ok = (result.error is None if wanted[5] is None else isinstance(result.error, wanted[5]))
    json_ok = repr(result.json) == repr(wanted[3])
    body_ok = (isinstance(result.body, str) if "json" in kind and wanted[1] is not None
               else result.body == wanted[2])
    if (result.url, result.status) == wanted[:2] and body_ok and json_ok and error_ok and (
            same_time(result.elapsed, wanted[4])):
        return None
    return (f"got url={result.url!r}, status={result.status!r}, body={show(result.body)}, "
            f"json={show(result.json)}, elapsed={secs(result.elapsed)}, error={result.error!r}; "
            f"expected {how}")


# URLs of every form that is fine: a query, an IP address (v4, v6), ports.
URLS = [API + "/a", API + "/b?q=1", "http://127.0.0.1:8080/x",
        "https://status.example.org:8443/health", "http://[::1]:8080/v6",
        "https://Api.Example.com:443/x"]  # a result names its URL as given, not normalised


TIMEOUTS = st.sampled_from(["default", None]) | durations(0.1, 12.0)


def limit_of(timeout: Any) -> float | None:
    return 10.0 if timeout == "default" else timeout


def expect_fetch(url: str, kind: str, latency: float, limit: float | None,
                 start: float = 0.0) -> float:
    """Expect the request of a fetch of `url` sent at `start` (to a server `kind` that answers
    after `latency`, with a time limit of `limit`); returns when the fetch ends."""
    if limit is not None and latency > limit:
        expect_request(url, start, start + limit, timeline.CANCELLED)
        return start + limit
    expect_request(url, start, start + latency,
                   timeline.FAILED if kind == "refused" else timeline.RETURNED)
    return start + latency


def untied(latency: float, timeout: Any) -> float:
    """A latency not within 2 ms of the time limit (a tie would have no one right answer)."""
    limit = limit_of(timeout)
    return latency + 0.01 if limit is not None and abs(latency - limit) < 0.002 else latency


@task5
@given(kind=st.sampled_from(KINDS), status=st.sampled_from(STATUSES), body=st.sampled_from(BODIES),
       payload=st.sampled_from(PAYLOADS), latency=durations(0.001, 15.0), timeout=TIMEOUTS,
       before=durations(0.0, 3.0), url=st.sampled_from([API, *URLS]))
@example(kind="text", status=503, body="", payload=None, latency=0.333, timeout="default",
         before=1.0, url=API)
@example(kind="json", status=200, body="", payload=[], latency=12.5, timeout=None, before=0.0,
         url="https://Api.Example.com:443/x")
@example(kind="json; charset=utf-8", status=200, body="", payload={"up": True, "n": [1, 2]},
         latency=0.25, timeout="default", before=0.0, url="http://[::1]:8080/v6")
@example(kind="refused", status=200, body="", payload=None, latency=0.7, timeout=0.5,
         before=0.0, url=API)
@settings(max_examples=6)
def test_fetch_url_reports_any_server(kind: str, status: int, body: str, payload: Any,
                                      latency: float, timeout: Any, before: float,
                                      url: str) -> None:
    """for any server, URL, latency and timeout, returns the result the contract describes, naming
    the URL as given

    The server may answer with any status, an empty body or falsy JSON, or refuse; the URL may have
    a port, an IP, a query or a default port; the timeout may be the default 10 s, None or any
    other.
    """
    latency = untied(latency, timeout)
    kwargs = {} if timeout == "default" else {"timeout": timeout}

    async def scenario() -> tuple[Any, BaseException | None, bool]:
        await asyncio.sleep(before)
        expect_caller(before, expect_fetch(url, kind, latency, limit_of(timeout), before))
        async with aiohttp.ClientSession() as session:
            got, error = await settle(fetch.fetch_url(session, url, **kwargs))
            return got, error, session.closed

    with mocked_http() as http:
        register(http, url, kind, status, body, payload, latency)
        got, error, closed = run_virtual(scenario)
    given_as = (f"A server at {url} that {server(kind, status, body, payload)} after "
                f"{secs(latency)}, "
                f"fetched at {secs(before)} with "
                + ("the default timeout" if timeout == "default" else f"timeout={timeout!r}"))
    assert error is None, f"{given_as}: fetch_url {outcome(got, error)}; a fetch never raises"
    wrong = expect(got, url, kind, status, body, payload, latency, limit_of(timeout))
    assert wrong is None, f"{given_as}: {wrong}"
    assert not closed, f"{given_as}: fetch_url closed the caller's session"


SERVERS = st.tuples(st.sampled_from(KINDS), st.sampled_from(STATUSES), st.sampled_from(BODIES),
                    st.sampled_from(PAYLOADS), durations(0.001, 12.0))


@task5
@given(servers=st.lists(SERVERS, min_size=len(URLS), max_size=len(URLS)),
       order=st.lists(st.integers(0, len(URLS) - 1), max_size=7), shape=iterable_shapes(),
       timeout=TIMEOUTS)
@example(servers=[("text", 200, "a", None, 3.0), ("json", 503, "", {}, 1.0),
                  ("refused", 200, "", None, 0.25), ("text", 200, "", None, 11.0),
                  ("text", 200, "v6", None, 0.5), ("json", 200, "", 0, 2.0)],
         order=[0, 1, 2, 3, 1, 4, 5], shape="generator", timeout="default")
@example(servers=[("text", 200, "a", None, 3.0), ("json", 200, "", [], 1.0),
                  ("refused", 200, "", None, 0.25), ("text", 200, "", None, 11.0),
                  ("text", 404, "", None, 12.0), ("text", 201, "x", None, 0.5)],
         order=[4, 3, *list(range(len(URLS))) * 3], shape="list", timeout=None)
@settings(max_examples=4)
def test_fetch_many_reports_any_batch(servers: list[tuple[Any, ...]], order: list[int],
                                      shape: str, timeout: Any) -> None:
    """for any batch, fetches every URL at once over one session; returns every result in input
    order

    The batch may be a generator, list a URL twice, hold many URLs, ports and IPs, meet every kind
    of failure, and have any timeout or none. It returns as soon as the slowest fetch ends, its
    session closed.
    """
    servers = [(*server_[:4], untied(server_[4], timeout)) for server_ in servers]
    kwargs = {} if timeout == "default" else {"timeout": timeout}
    limit = limit_of(timeout)

    async def scenario() -> tuple[Any, BaseException | None, float, list[bool]]:
        ends = [expect_fetch(URLS[i], servers[i][0], servers[i][4], limit) for i in order]
        expect_caller(0.0, max(ends, default=0.0))  # every request at once
        with sessions_opened() as opened:
            got, error = await settle(fetch.fetch_many(shaped([URLS[i] for i in order], shape),
                                                       **kwargs))
            return got, error, now(), [session.closed for session in opened]

    with mocked_http() as http:
        for url, server_ in zip(URLS, servers, strict=True):
            register(http, url, *server_)
        got, error, ended, closed = run_virtual(scenario)
        arrivals = {url: http.times(url) for url in URLS}
    listed = sorted(set(order), key=order.index) if len(order) > len(URLS) else order
    given_as = ((f"With {len(order)} URLs listed, among them " if listed != order else "With ")
                + listing(f"{URLS[i]} that {server(*servers[i][:4])} after "
                          f"{secs(servers[i][4])}" for i in listed) if order else
                "With no URLs") + (f" (a {shape}, timeout "
                                   + ("None: no limit)" if limit is None else f"{secs(limit)})"))
    assert error is None and len(got) == len(order), (
        f"{given_as}: fetch_many {outcome(got, error)}; expected one result per URL listed")
    for position, (index, result) in enumerate(zip(order, got, strict=True)):
        wrong = expect(result, URLS[index], *servers[index], limit)
        assert wrong is None, f"{given_as}: result {position} ({URLS[index]}) {wrong}"
    at_once = sum(times.count(0.0) for times in arrivals.values())
    assert at_once == len(order), (
        f"{given_as}: {at_once} of the {len(order)} requests were sent at 0.0 s; fetch_many "
        "should send every request at once, with no cap on how many are in flight")
    for index, url in enumerate(URLS):
        wanted = [0.0] * order.count(index)
        assert arrivals[url] == wanted, (
            f"{given_as}: requests to {url} arrived at {arrivals[url]}; expected {wanted}: "
            "every fetch at once, one per listing")
    finish = max((servers[i][4] if limit is None else min(servers[i][4], limit)
                  for i in order), default=0.0)
    assert same_time(ended, finish), (
        f"{given_as}: fetch_many returned at {secs(ended)}; the slowest fetch ended at "
        f"{secs(finish)}: return then, no later")
    assert len(closed) == (1 if order else len(closed)) and len(closed) <= 1 and all(closed), (
        f"{given_as}: fetch_many opened {len(closed)} ClientSession(s), "
        f"{closed.count(False)} still open when it returned; expected one session, closed "
        "by the time it returns")


@task4
@given(batch=st.lists(st.tuples(st.sampled_from([200, 302, 404, 503, None]),
                                st.sampled_from([0.1, 0.5, 2.0]) | durations(0.001, 3.0)),
                      max_size=6),
       shape=iterable_shapes())
@example(batch=[(200, 2.0), (None, 2.0), (503, 0.5)], shape="generator")
@example(batch=[], shape="generator")
@settings(max_examples=12)
def test_summarize_counts_any_batch(batch: list[tuple[int | None, float]], shape: str) -> None:
    """for any batch, every figure of the summary is right, and the slowest is one of the longest
    fetches

    The batch may be a generator, and its slowest fetches tied.
    """
    results = [result(f"{API}/{n}", status, elapsed, None if status else TimeoutError())
               for n, (status, elapsed) in enumerate(batch)]
    got = fetch.summarize(shaped(results, shape))
    given_as = (f"For a {shape} of results " + listing(
        f"{status or 'no response'} in {secs(elapsed)}" for status, elapsed in batch)
        if batch else f"For an empty {shape}")
    statuses = [status for status, _ in batch]
    figures = {
        "total": len(batch),
        "ok": sum(s is not None and s < 400 for s in statuses),
        "by_status": {s: statuses.count(s) for s in statuses if s is not None},
        "no_response": statuses.count(None),
    }
    for name, wanted in figures.items():
        assert getattr(got, name) == wanted, (
            f"{given_as}, summarize gave {name}={getattr(got, name)!r}; expected {wanted!r}")
    longest = max((elapsed for _, elapsed in batch), default=None)
    slowest = [f"{API}/{n}" for n, (_, elapsed) in enumerate(batch) if elapsed == longest]
    assert (got.slowest in slowest) if batch else got.slowest is None, (
        f"{given_as}, summarize gave slowest={got.slowest!r}; expected "
        + (f"the URL of a {secs(longest)} fetch: {listing(slowest)}" if batch else "None"))


@task5
async def test_fetch_many_with_an_infinite_timeout(http_mock: MockHttp) -> None:
    """timeout=math.inf is no limit: a batch with a 100 s response waits for it"""
    http_mock.reply(API, body="slow but sure", latency=100.0)
    expect_request(API, 0.0, 100.0)
    expect_caller(0.0, 100.0)
    got, raised = await settle(fetch.fetch_many([API], timeout=math.inf))
    assert raised is None and [r.body for r in got] == ["slow but sure"], (
        f"fetch_many([url], timeout=math.inf) on a 100 s response {outcome(got, raised)}; "
        "expected its result: an infinite timeout is no limit")


# --- task 6: reject bad input before any request ----------------------------------------------

@task6
@pytest.mark.parametrize("url", ["not a url", "ftp://files.example.com/x", "http://",
                                 "api.example.com/ping"])
async def test_rejects_invalid_urls(url: str, http_mock: MockHttp) -> None:
    """rejects a string that is not an http(s) URL with a host: ValueError naming it"""
    async with aiohttp.ClientSession() as session:
        await rejects(ValueError, lambda: fetch.fetch_url(session, url),
                      shown=f"fetch_url(session, {url!r})", named=url)


@task6
@pytest.mark.parametrize("url", [42, b"https://api.example.com"], ids=["int", "bytes"])
async def test_rejects_a_url_that_is_not_a_str(url: object, http_mock: MockHttp) -> None:
    """rejects a URL that is not a str, bytes included: TypeError"""
    http_mock.reply(API)
    async with aiohttp.ClientSession() as session:
        await rejects(TypeError, lambda: fetch.fetch_url(session, url),
                      shown=f"fetch_url(session, {url!r})", named=str(url))
    assert http_mock.requests(API) == 0, "a request was sent for a URL given as bytes"


@task6
@pytest.mark.parametrize("bad", [API, None, 42, "coroutine"],
                         ids=["a URL", "None", "int", "a coroutine"])
async def test_rejects_a_session_that_is_not_a_client_session(bad: object,
                                                             http_mock: MockHttp) -> None:
    """rejects a `session` that is not a ClientSession: TypeError showing the bad value or naming
    `session`

    A URL given as `session` (the arguments swapped) is rejected the same way, and so is a
    coroutine that would make a session (`make_session()` where `await make_session()` was meant).
    """
    http_mock.reply(API)
    if bad == "coroutine":
        async def make_session() -> aiohttp.ClientSession:
            return aiohttp.ClientSession()

        bad = make_session()
    result, error = await settle(fetch.fetch_url(bad, API))
    if asyncio.iscoroutine(bad):
        bad.close()
    assert isinstance(error, TypeError) and (shows(str(error), bad)
                                             or names(str(error), "session")), (
        f"Called fetch_url({bad!r}, {API!r}). It {outcome(result, error)}; the spec expected "
        f"TypeError whose message shows {bad!r} or names the `session` argument")
    assert http_mock.requests(API) == 0, "a request was sent before the session was checked"


@task6
@pytest.mark.parametrize(("timeout", "error"), [(0, ValueError), (-1.5, ValueError),
                                                (math.nan, ValueError), (-math.inf, ValueError),
                                                ("abc", TypeError), (True, TypeError),
                                                ("10", TypeError)])
async def test_rejects_a_bad_timeout(timeout: object, error: type[Exception],
                                     http_mock: MockHttp) -> None:
    """rejects a timeout that is not a positive number of seconds, NaN included

    Rejects a timeout that is not a positive number of seconds: NaN is a ValueError, a bool or
    a str a TypeError.
    """
    http_mock.reply(API)
    async with aiohttp.ClientSession() as session:
        await rejects(error, lambda: fetch.fetch_url(session, API, timeout=timeout),
                      shown=f"fetch_url(session, url, timeout={timeout!r})", named=str(timeout))
    assert http_mock.requests(API) == 0, "the request was sent before the timeout was checked"


BAD_URLS = {"ftp://nope.example.com": ValueError, "http://": ValueError,
            "not a url": ValueError, 42: TypeError, None: TypeError,
            b"https://api.example.com": TypeError}


@task6
@given(good=st.integers(0, 3), at=st.integers(0, 3), bad=st.sampled_from(list(BAD_URLS)),
       shape=iterable_shapes())
@example(good=1, at=1, bad="ftp://nope.example.com", shape="list")
@example(good=2, at=2, bad=42, shape="list")
@example(good=1, at=0, bad=None, shape="generator")
@settings(max_examples=3)
def test_fetch_many_checks_every_url_first(good: int, at: int, bad: Any, shape: str) -> None:
    """rejects a bad URL anywhere in the batch, showing it, before sending any request

    A str that is not an http(s) URL is a ValueError; anything that is not a str, a TypeError.
    """
    urls: list[Any] = [f"{API}/{n}" for n in range(good)]
    urls.insert(min(at, good), bad)
    error = BAD_URLS[bad]
    shown = f"fetch_many({urls!r} as a {shape})"

    async def scenario() -> None:
        await rejects(error, lambda: fetch.fetch_many(shaped(urls, shape)), shown=shown,
                      named=str(bad))

    with mocked_http() as http:
        good_urls = [url for url in urls if url is not bad]
        for url in good_urls:
            http.reply(url)
        run_virtual(scenario)
        sent = [url for url in good_urls if http.requests(url)]
    assert not sent, (
        f"Called {shown}: it sent a request to {listing(sent)} before finding the bad URL "
        f"{bad!r}: check every URL first, then fetch")


@task6
@pytest.mark.parametrize(("timeout", "error"), [(0, ValueError), (-1, ValueError),
                                                (math.nan, ValueError), ("abc", TypeError),
                                                (True, TypeError), (False, TypeError)])
async def test_fetch_many_checks_the_timeout_first(timeout: object, error: type[Exception],
                                                   http_mock: MockHttp) -> None:
    """rejects a timeout that is not a positive number of seconds before sending any request"""
    http_mock.reply(API)
    await rejects(error, lambda: fetch.fetch_many([API], timeout=timeout),
                  shown=f"fetch_many([url], timeout={timeout!r})", named=str(timeout))
    assert http_mock.requests(API) == 0, "fetch_many sent a request before checking the timeout"


@task6
@pytest.mark.parametrize("urls", [API, 42, API.encode()], ids=["one str", "int", "bytes"])
async def test_fetch_many_wants_a_collection(urls: object, http_mock: MockHttp) -> None:
    """rejects a single URL string (or bytes) or a non-iterable in place of a collection:
    TypeError"""
    http_mock.reply(API)
    await rejects(TypeError, lambda: fetch.fetch_many(urls), shown=f"fetch_many({urls!r})",
                  named=str(urls))
    assert http_mock.requests(API) == 0, f"fetch_many({urls!r}) sent a request"
