"""Behaviour spec of kata 10, the capstone: a service health monitor. HTTP is mocked;
times are loop time."""

import asyncio
import functools
import itertools
import math
import statistics
from collections.abc import Iterable, Iterator
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from specs import (
    MockHttp,
    http,
    implementation,
    listing,
    mocked_server,
    now,
    outcome,
    rejects,
    secs,
    sessions_opened,
    settle,
    show,
    timeline,
)
from specs.checks import CLOCK_RESOLUTION, names, running_tasks, same, same_time
from specs.properties import durations, iterable_shapes, run_virtual, shaped

monitoring = implementation("kata10_monitor", "monitor")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)
task6 = pytest.mark.task(6)
task7 = pytest.mark.task(7)

A, B = "https://api.example.com/health", "https://db.example.com/health"
C = "http://cache.example.com/health"


def services(count: int) -> list[str]:
    return [f"https://svc{n}.example.com/health" for n in range(count)]


def expect_requests(url: str, *requests: tuple[float, float, str]) -> None:
    """State that the requests to `url` ran from each start to its end, then ended as its kind
    says: answered (`timeline.RETURNED`), refused (`FAILED`) or cut short (`CANCELLED`)."""
    row = http.request_row("GET", url)
    for start, end, kind in requests:
        timeline.expect(row, start, end)
        timeline.expect(row, end, kind=kind)


def expect_calls(*calls: tuple[float, float, str]) -> None:
    """State that the caller waited from each start to its end (a call the spec settles),
    which ended as its kind says."""
    for start, end, kind in calls:
        timeline.expect_caller(start, end, kind)


async def started(urls: list[str], **kwargs: Any) -> Any:
    """A monitor with its session open and no schedule: checks only on demand."""
    monitor = monitoring.Monitor(urls, **kwargs)
    await monitor.open()
    return monitor


# --- the model of one check, for the properties -------------------------------------------

STATUSES = [200, 204, 301, 399, 400, 404, 500, 503]
Try = tuple[str, int, float]  # ("answer", status, latency) or ("refused", 0, latency)


def tries() -> st.SearchStrategy[Try]:
    """One try's fate: an answer with any status after any latency, or a refused connection."""
    return st.one_of(
        st.tuples(st.just("answer"), st.sampled_from(STATUSES), durations(0.001, 3.0)),
        st.tuples(st.just("refused"), st.just(0), durations(0.001, 0.5)))


def said(attempt: Try, timeout: float) -> str:
    kind, status, latency = attempt
    late = " (too late)" if latency > timeout else ""
    if kind == "refused":
        return f"refused after {secs(latency)}{late}"
    return f"{status} after {secs(latency)}{late}"


def one_try(attempt: Try, timeout: float) -> tuple[float, bool]:
    """How long a try takes (at most `timeout`) and whether it finds the service up."""
    kind, status, latency = attempt
    if latency > timeout:
        return timeout, False
    return latency, kind == "answer" and status < 400


def check_model(attempts_made: list[Try], attempts: int, backoff: float,
                timeout: float) -> tuple[list[float], float, bool]:
    """A check: when each try starts (from the check's start), how long it takes, and up.
    Retry k waits backoff * 2 ** (k - 1) from the end of the failed try."""
    offsets: list[float] = []
    clock = 0.0
    for number, attempt in enumerate(attempts_made[:attempts]):
        offsets.append(round(clock, 6))
        took, up = one_try(attempt, timeout)
        clock += took
        if up or number == attempts - 1:
            return offsets, round(clock, 6), up
        clock += backoff * 2 ** number
    raise AssertionError("the model needs a try per attempt")


async def answer(planned: Iterator[Try], arrivals: list[float], url: Any,
                 **_kwargs: Any) -> CallbackResult:
    """A mocked server: each request takes the next drawn fate, even one a timeout cuts."""
    arrivals.append(round(now(), 6))
    kind, status, latency = next(planned, ("refused", 0, 0.0))
    with timeline.drawing(http.request_row("GET", url), returned=True):
        await asyncio.sleep(latency)
        if kind == "refused":
            raise aiohttp.ClientConnectionError(f"Cannot connect to host {url.host}")
        return CallbackResult(status=status, body="ok")


@pytest.fixture
def server() -> Iterator[aioresponses]:
    """Mocked HTTP for a property's examples: `scripted` gives each example its own plan."""
    with mocked_server() as mocked:
        yield mocked


def scripted(server: aioresponses, plan: dict[str, Iterable[Try]]) -> dict[str, list[float]]:
    """Each URL of `plan` answers its successive requests as planned (any earlier plan is
    dropped); returns the loop times at which each URL's requests arrive."""
    server.clear()
    times: dict[str, list[float]] = {url: [] for url in plan}
    for url, planned in plan.items():
        server.get(url, repeat=True, callback=functools.partial(answer, iter(planned), times[url]))
    return times


def cheap(examples: int) -> settings:
    """An HTTP property's settings: few examples, the shared `server` fixture allowed, and no
    shrinking (an example costs milliseconds of aiohttp; shrinking one would outlast the
    watchdog): a failure shows the first example that broke the contract."""
    return settings(max_examples=examples, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def slot_fault(spans: list[tuple[float, float]], asked: list[float], limit: int,
               gap: float = 0.0) -> tuple[str, float, int] | None:
    """Checks that ran from span[0] to span[1], each asked for at `asked`: a moment with more
    than `limit` running, or a moment when a check was waiting although a slot was free (and,
    with a rate, the last start was `gap` or more ago). ``(kind, moment, check or count)``.
    Either must last longer than the clock's resolution: a check may start a few µs late."""
    spans = [(round(start, 6), round(end, 6)) for start, end in spans]
    asked = [round(moment, 6) for moment in asked]
    starts = [start for start, _ in spans]
    points = sorted({*asked, *starts, *(round(start + gap, 6) for start in starts),
                     *(end for _, end in spans)})
    since: dict[str, tuple[float, int]] = {}  # each kind of fault: since when, and its figure
    for before, after in itertools.pairwise(points):
        moment = (before + after) / 2
        running = [i for i, (start, end) in enumerate(spans) if start <= moment < end]
        waiting = [i for i, start in enumerate(starts) if asked[i] <= moment < start]
        rested = all(moment >= round(start + gap, 6) for start in starts if start <= moment)
        for kind, now_faulty, figure in (
                ("peak", len(running) > limit, len(running)),
                ("idle", bool(waiting) and len(running) < limit and rested, (waiting or [0])[0])):
            if not now_faulty:
                since.pop(kind, None)
                continue
            began, figure = since.setdefault(kind, (before, figure))
            if after - began > CLOCK_RESOLUTION:
                return kind, began, figure
    return None


# Task 1: check a service, up or down: `Monitor.check(url)`.

@task1
@pytest.mark.parametrize(("setup", "up"), [
    (lambda m: m.reply(A, 200, body="ok"), True), (lambda m: m.reply(A, 399), True),
    (lambda m: m.reply(A, 400), False), (lambda m: m.reply(A, 503), False),
    (lambda m: m.fail(A), False), (lambda m: m.hang(A), False)],
    ids=["200", "399", "400", "503", "connection error", "no answer"])
async def test_check_tells_up_from_down(setup: Any, up: bool, http_mock: MockHttp) -> None:
    """a service is up when it answers within the timeout with a status below 400"""
    setup(http_mock)
    monitor = await started([A])
    got = await monitor.check(A)
    await monitor.stop()
    assert got is up, f"check() said {got!r}; expected {up} (up: a status below 400, in time)"


@task1
async def test_a_check_times_out(http_mock: MockHttp) -> None:
    """a check gives up after `timeout` seconds (2 s by default)"""
    http_mock.hang(A)
    start = now()  # each silent request is cut short by the timeout: 2 s, then 0.5 s
    expect_requests(A, (start, start + 2.0, timeline.CANCELLED),
                    (start + 2.0, start + 2.5, timeline.CANCELLED))
    monitor = await started([A])
    await monitor.check(A)
    default = now()
    monitor_fast = await started([A], timeout=0.5)
    await monitor_fast.check(A)
    await monitor.stop()
    await monitor_fast.stop()
    assert same_time((default, now() - default), (2.0, 0.5)), (
        f"checks of a silent service gave up after {secs(default)} (default timeout) and "
        f"{secs(now() - default)} (timeout=0.5); expected 2.0 s and 0.5 s (use asyncio.timeout)"
    )


@task1
async def test_check_updates_the_report(http_mock: MockHttp) -> None:
    """each check is counted in the service's report"""
    http_mock.sequence(A, [200, 503, 503])
    monitor = await started([A])
    seen = []
    for _ in range(3):
        await monitor.check(A)
        report = monitor.reports[A]  # read the moment check() returns
        seen.append((report.up, report.checks, report.successes, report.consecutive_failures))
    await monitor.stop()
    assert report.url == A, f"the report of {A} names {report.url!r}"
    expected = [(True, 1, 1, 0), (False, 2, 1, 1), (False, 3, 1, 2)]
    assert seen == expected, (
        f"checks answered 200, 503, 503; as each check() returned, its report said (up, "
        f"checks, successes, consecutive_failures) = {listing(seen)}; expected "
        f"{listing(expected)}: record the check before check() returns"
    )


@task1
async def test_round_checks_every_service(http_mock: MockHttp) -> None:
    """round() checks every service once, concurrently, and says which are up"""
    http_mock.reply(A, latency=1.0)
    http_mock.reply(B, 500, latency=1.0)
    http_mock.reply(C, latency=1.0)
    for url in (A, B, C):  # together
        expect_requests(url, (now(), now() + 1.0, timeline.RETURNED))
    monitor = await started([A, B, C])
    got = await monitor.round()
    await monitor.stop()
    assert got == [True, False, True] and same_time(now(), 1.0), (
        f"round() over 3 services (the second answering 500), 1 s each, returned {show(got)} "
        f"after {secs(now())}; expected [True, False, True] after 1.0 s"
    )


@task1
async def test_check_needs_an_open_monitor() -> None:
    """check() before open() or start() raises RuntimeError"""
    monitor = monitoring.Monitor([A])
    await rejects(RuntimeError, lambda: monitor.check(A), shown="check() before open()",
                  named=())


@task1
async def test_open_checks_nothing_by_itself(http_mock: MockHttp) -> None:
    """open() opens the session but schedules no check"""
    http_mock.reply(A)
    monitor = await started([A])
    await asyncio.sleep(30.0)
    await rejects(RuntimeError, monitor.open, shown="open() twice", named=())
    await monitor.stop()
    assert http_mock.requests(A) == 0, f"open() alone made {http_mock.requests(A)} checks"


@task1
async def test_an_infinite_timeout_waits_for_the_answer(http_mock: MockHttp) -> None:
    """timeout=math.inf is no timeout: a check waits for the answer however long it takes"""
    http_mock.reply(A, latency=100.0)
    start = now()
    expect_requests(A, (start, start + 100.0, timeline.RETURNED))
    expect_calls((start, start, timeline.RETURNED), (start, start + 100.0, timeline.RETURNED))
    monitor, error = await settle(started([A], timeout=math.inf))
    assert error is None, (
        f"Monitor([url], timeout=math.inf) {outcome(monitor, error)}; expected it accepted: an "
        "infinite timeout means no timeout")
    result, error = await settle(monitor.check(A))
    ended = now()
    await monitor.stop()
    assert error is None and result is True and same_time(ended, 100.0), (
        f"With timeout=math.inf, a check of a service answering in 100 s "
        f"{outcome(result, error)} at {secs(ended)}; expected True at 100.0 s: an infinite "
        "timeout never fires (asyncio.timeout(math.inf) waits for ever)")


# Task 2: schedule rounds without drift: `Monitor.start()`.

@task2
async def test_rounds_come_every_interval(http_mock: MockHttp) -> None:
    """checks every service at once, then every `interval` seconds"""
    http_mock.reply(A)
    http_mock.reply(B)
    monitor = monitoring.Monitor([A, B], interval=10.0)
    for url in (A, B):  # each answered at once, at 0, 10, 20 and 30 s
        expect_requests(url, *((now() + t, now() + t, timeline.RETURNED) for t in (0, 10, 20, 30)))
    await monitor.start()
    await asyncio.sleep(35.0)
    await monitor.stop()
    assert same_time(http_mock.times(A), [0, 10, 20, 30]) and same_time(
        http_mock.times(B), [0, 10, 20, 30]), (
        f"with interval=10, over 35 s, the services were checked at {http_mock.times(A)} and "
        f"{http_mock.times(B)}; expected [0, 10, 20, 30] for each"
    )


@task2
async def test_default_interval_is_ten_seconds(http_mock: MockHttp) -> None:
    """rounds come every 10 s by default"""
    http_mock.reply(A)
    monitor = monitoring.Monitor([A])
    expect_requests(A, *((now() + t, now() + t, timeline.RETURNED) for t in (0, 10, 20)))
    await monitor.start()
    await asyncio.sleep(25.0)
    await monitor.stop()
    assert same_time(http_mock.times(A), [0, 10, 20]), (
        f"default rounds came at {http_mock.times(A)}")


@task2
async def test_start_twice_is_refused(http_mock: MockHttp) -> None:
    """start() or open() on a started monitor raises RuntimeError"""
    http_mock.reply(A)
    monitor = monitoring.Monitor([A])
    await monitor.start()
    await rejects(RuntimeError, monitor.start, shown="start() twice", named=())
    await rejects(RuntimeError, monitor.open, shown="open() after start()", named=())
    await monitor.stop()


@st.composite
def schedules(draw: st.DrawFn) -> dict[str, Any]:
    """A schedule to run: interval, services (constant answers, some slower than the interval
    or the timeout), an optional rate, when start() and stop() come."""
    interval = draw(durations(0.1, 4.0))
    count = draw(st.integers(1, 2))
    timeout = draw(durations(0.05, 2 * interval))
    fates = draw(st.lists(
        st.tuples(st.sampled_from(["answer", "answer", "refused"]), st.sampled_from(STATUSES),
                  durations(0.001, 2 * interval)), min_size=count, max_size=count))
    gap = draw(st.none() | durations(0.001, interval / count))
    rounds = draw(st.integers(1, 3))
    after = draw(st.integers(0, round(interval * 1000) - 1)) / 1000 + 0.0005
    begin = draw(durations(0.0, 3.0))
    return {"interval": interval, "timeout": timeout, "fates": fates,
            "rate": None if gap is None else 1 / gap, "begin": begin,
            "stop": begin + (rounds - 1) * interval + after}


@task2
@given(plan=schedules())
@example(plan={"interval": 5.0, "timeout": 6.0, "fates": [("answer", 200, 0.3),
                                                            ("answer", 200, 4.5)],
               "rate": None, "begin": 0.0, "stop": 16.0})
@example(plan={"interval": 2.0, "timeout": 2.5, "fates": [("answer", 503, 3.0),
                                                            ("answer", 200, 0.25)],
               "rate": 1.0, "begin": 0.5, "stop": 4.9})
@cheap(4)
def test_rounds_stay_on_the_absolute_schedule_until_stop(
        server: aioresponses, plan: dict[str, Any]) -> None:
    """for any interval, latencies, rate and stop: round k starts at start + k * interval; stop()
    cancels what is in flight

    Latencies may be longer than the interval, and the stop comes at any time. stop() records
    nothing for what it cancels, and returns with no task left and the session closed.
    """
    interval, timeout, fates = plan["interval"], plan["timeout"], plan["fates"]
    rate, begin, stop = plan["rate"], plan["begin"], plan["stop"]
    assume(all(latency != timeout for _, _, latency in fates))
    urls = services(len(fates))
    gap = 0.0 if rate is None else 1 / rate
    given_as = (f"With interval={secs(interval)}, timeout={secs(timeout)}"
                + ("" if rate is None else f", rate={rate:.4g} (1 / rate = {secs(gap)})")
                + ", services answering "
                + ", ".join(f"svc{i}: {said(fate, timeout)}" for i, fate in enumerate(fates))
                + f" every time, start() at {secs(begin)} and stop() at {secs(stop)}")
    arrivals = scripted(server, {url: itertools.repeat(fate)
                                 for url, fate in zip(urls, fates, strict=True)})

    async def scenario() -> Any:
        with sessions_opened() as opened:
            monitor = monitoring.Monitor(list(urls), interval=interval, timeout=timeout,
                                         rate=rate, limit=8)
            await asyncio.sleep(begin)
            await monitor.start()
            await asyncio.sleep(stop - begin)
            await monitor.stop()
        returned = now()
        left = running_tasks()
        closed = [session.closed for session in opened]

        def snapshot() -> Any:
            return ([(r.up, r.checks, r.successes, r.consecutive_failures, list(r.latencies))
                     for r in (monitor.reports[url] for url in urls)], list(monitor.changes))

        at_stop = snapshot()
        tried = {url: list(arrivals[url]) for url in urls}
        await asyncio.sleep(2 * interval + 3.0)
        return returned, left, closed, at_stop, tried, snapshot()

    returned, left, closed, at_stop, tried, later = run_virtual(scenario)
    for index, (url, (kind, _, latency)) in enumerate(zip(urls, fates, strict=True)):
        starts = [t for t in (begin + k * interval + index * gap for k in range(100)) if t < stop]
        ends = [t + min(latency, timeout) for t in starts]
        if any(abs(end - t) < 2 * CLOCK_RESOLUTION for end in ends for t in starts):
            continue  # a request ends as the next one starts: which comes first is the loop's
        expect_requests(url, *((t, stop, timeline.CANCELLED) if end >= stop  # stop() cuts it
                               else (t, end, timeline.CANCELLED if latency > timeout  # too late
                                     else timeline.FAILED if kind == "refused"
                                     else timeline.RETURNED)
                               for t, end in zip(starts, ends, strict=True)))
    expected_changes = []
    for index, (url, fate) in enumerate(zip(urls, fates, strict=True)):
        due = [round(begin + k * interval + index * gap, 6) for k in range(100)]
        due = [t for t in due if t < stop]
        assert len(tried[url]) == len(due) and all(map(same_time, tried[url], due)), (
            f"{given_as}, svc{index} was checked at {tried[url]}; expected at "
            f"{listing(secs(t) for t in due)}: round k is due at start + k * interval, however "
            "long the checks take" + ("" if rate is None else
                                      ", and within a round checks start 1 / rate apart"))
        took, up = one_try(fate, timeout)
        ended = [t + took for t in due if t + took < stop]
        checks = len(ended)
        figures = (up if checks else None, checks, checks if up else 0, 0 if up else checks,
                   [took] * checks if up else [])
        assert same_time(at_stop[0][index], figures), (
            f"{given_as}, when stop() returned svc{index}'s report said (up, checks, "
            f"successes, consecutive_failures, latencies) = {at_stop[0][index]}; expected "
            f"{figures}: count each check that ended before stop(), and nothing for a check "
            "that stop() cancelled")
        if ended:
            expected_changes.append((round(ended[0], 6), url, up))
    expected_changes.sort()
    assert same_time(sorted(at_stop[1]), expected_changes), (
        f"{given_as}, changes were {at_stop[1]} when stop() returned; expected "
        f"{expected_changes}: each service's first state, when its first check ended")
    assert same_time(returned, stop) and not left, (
        f"{given_as}, stop() returned at {secs(returned)} leaving {left or 'no task'}; "
        f"expected at once ({secs(stop)}), with no task left: cancel the schedule and its "
        "checks, then wait for them")
    assert closed == [True], (
        f"{given_as}, the monitor opened {len(closed)} session(s), closed: {closed}; expected "
        "one session, closed when stop() returns")
    assert later == at_stop and all(arrivals[url] == tried[url] for url in urls), (
        f"{given_as}, after stop() returned the monitor went on: reports and changes "
        f"{at_stop} became {later}, requests {tried} became "
        f"{ {url: arrivals[url] for url in urls} }")


# Task 3: add retries, a concurrency limit and a rate.

@task3
async def test_a_success_ends_the_retries(http_mock: MockHttp) -> None:
    """a check stops retrying once it succeeds (default backoff 0.5 s)"""
    http_mock.sequence(A, [503, 200, 200, 200])
    expect_requests(A, *((now() + t, now() + t, timeline.RETURNED) for t in (0, 0.5)))
    monitor = await started([A], attempts=4)
    got = await monitor.check(A)
    await monitor.stop()
    assert got is True and same_time(http_mock.times(A), [0, 0.5]), (
        f"a service failing once, then fine, with attempts=4: tried at {http_mock.times(A)}, "
        f"check said {got!r}; expected tries at [0, 0.5] (default backoff) and True"
    )
    assert monitor.reports[A].successes == 1, "the successful check was not recorded"


@task3
async def test_no_retry_by_default_and_none_after_the_last(http_mock: MockHttp) -> None:
    """attempts=1 by default; after the last attempt the check fails at once"""
    http_mock.reply(A, 503)
    expect_requests(A, *((now() + t, now() + t, timeline.RETURNED) for t in (0, 0, 1.0)))
    monitor = await started([A])
    await monitor.check(A)
    retried = await started([A], attempts=2, backoff=1.0)
    await retried.check(A)
    await monitor.stop()
    await retried.stop()
    assert same_time(http_mock.times(A), [0, 0, 1.0]) and same_time(now(), 1.0), (
        f"a check with default attempts, then one with attempts=2, against a failing service: "
        f"tries at {http_mock.times(A)}, done at {secs(now())}; expected [0, 0, 1.0], done "
        "at 1.0 s (no backoff after the last attempt)"
    )


@task3
async def test_backoff_doubles_at_every_retry(http_mock: MockHttp) -> None:
    """retries wait backoff, 2 * backoff, 4 * backoff, 8 * backoff, ...: each wait doubles the last

    Retry k waits ``backoff * 2 ** (k - 1)`` from the end of the failed try; six tries tell
    doubling from linear (backoff, 2 * backoff, 3 * backoff) and from a capped wait.
    """
    http_mock.fail(A, latency=0.1)
    start = now()  # tries refused after 0.1 s, at 0, 0.35, 0.95, 2.05, 4.15 and 8.25 s
    expect_requests(A, *((start + t, start + t + 0.1, timeline.FAILED)
                         for t in (0.0, 0.35, 0.95, 2.05, 4.15, 8.25)))
    expect_calls((start, start + 8.35, timeline.RETURNED))
    monitor = await started([A], attempts=6, backoff=0.25)
    result, error = await settle(monitor.check(A))
    ended = now()
    await monitor.stop()
    tried = http_mock.times(A)
    waits = [round(b - a - 0.1, 6) for a, b in itertools.pairwise(tried)]
    expected = [0.0, 0.35, 0.95, 2.05, 4.15, 8.25]
    assert error is None and result is False and same_time(tried, expected) and (
        same_time(ended, 8.35)), (
        f"With attempts=6 and backoff=0.25, a service refusing each try after 0.1 s was tried "
        f"at {listing(secs(t) for t in tried)} (waits of {listing(secs(w) for w in waits)} "
        f"after each failed try), and the check {outcome(result, error)} at {secs(ended)}; "
        f"expected tries at {listing(secs(t) for t in expected)} (waits of 0.25, 0.5, 1.0, 2.0 "
        "and 4.0 s: backoff * 2 ** (k - 1) before retry k, each wait twice the last) and False "
        "at 8.35 s")


@task3
@pytest.mark.parametrize(("limit", "expected"), [(2, 5.0), (None, 3.0)], ids=["2", "default 4"])
async def test_concurrency_limit(limit: int | None, expected: float, http_mock: MockHttp) -> None:
    """never more than `limit` checks at once (4 by default)"""
    urls = services(9)
    for url in urls:
        http_mock.reply(url, latency=1.0)
    monitor = await started(urls, **({} if limit is None else {"limit": limit}))
    await monitor.round()
    await monitor.stop()
    assert same_time(now(), expected), (
        f"a round over 9 services of 1 s with limit={limit or 'default'} took {secs(now())}; "
        f"expected {secs(expected)}"
    )


@task3
@given(answers=st.lists(st.lists(tries(), min_size=3, max_size=3), min_size=1, max_size=3),
       attempts=st.integers(1, 3), backoff=durations(0.001, 2.0),
       timeout=durations(0.05, 3.0), limit=st.integers(1, 4), shape=iterable_shapes(),
       begin=durations(0.0, 2.0))
@example(answers=[[("answer", 503, 0.2), ("refused", 0, 0.01), ("answer", 200, 0.3)],
                  [("answer", 200, 1.0)] * 3],
         attempts=3, backoff=0.5, timeout=2.0, limit=1, shape="generator", begin=0.25)
@example(answers=[[("answer", 200, 2.5), ("answer", 200, 0.125), ("answer", 200, 1.0)],
                  [("refused", 0, 0.001)] * 3, [("answer", 500, 0.333)] * 3],
         attempts=2, backoff=0.25, timeout=2.0, limit=2, shape="list", begin=0.0)
@cheap(5)
def test_a_round_retries_each_service_within_the_limit(
        server: aioresponses, answers: list[list[Try]], attempts: int, backoff: float,
        timeout: float, limit: int, shape: str, begin: float) -> None:
    """for any answers: a round retries on schedule, starts each check as soon as a slot frees, and
    returns when the last ends

    The answers include failures and silences, with any attempts, backoff and limit; the retries
    follow the backoff schedule, and when the round returns every report is already up to date.
    """
    assume(all(latency != timeout for tried in answers for _, _, latency in tried))
    urls = services(len(answers))
    models = [check_model(tried, attempts, backoff, timeout) for tried in answers]
    given_as = (
        f"With {len(urls)} service(s) answering "
        + "; ".join(f"svc{i}: " + ", then ".join(said(t, timeout) for t in tried[:attempts])
                    for i, tried in enumerate(answers))
        + f" (attempts={attempts}, backoff={secs(backoff)}, timeout={secs(timeout)}, "
        f"limit={limit}, urls given as a {shape}), round() at {secs(begin)}")

    arrivals = scripted(server, dict(zip(urls, answers, strict=True)))

    async def scenario() -> Any:
        monitor = monitoring.Monitor(shaped(urls, shape), attempts=attempts,
                                     backoff=backoff, timeout=timeout, limit=limit)
        await monitor.open()
        await asyncio.sleep(begin)
        got = await monitor.round()
        ended = now()
        reports = [monitor.reports[url] for url in urls]
        seen = [(r.up, r.checks, r.successes, r.consecutive_failures, list(r.latencies))
                for r in reports]
        changes = list(monitor.changes)
        await monitor.stop()
        return got, ended, seen, changes

    got, ended, seen, changes = run_virtual(scenario)
    times = [arrivals[url] for url in urls]

    expected = [up for _, _, up in models]
    assert got == expected and all(isinstance(up, bool) for up in got), (
        f"{given_as}, round() returned {show(got)}; expected {expected}: whether each service "
        "is up, in the order of the URLs")
    spans = []
    for index, ((offsets, took, _), tried) in enumerate(zip(models, times, strict=True)):
        first = tried[0] if tried else begin
        due = [round(first + offset, 6) for offset in offsets]
        assert len(tried) == len(due) and all(map(same_time, tried, due)), (
            f"{given_as}, svc{index} was tried at {tried or 'no time'}; expected "
            f"{len(due)} tr{'y' if len(due) == 1 else 'ies'}, at {listing(secs(t) for t in due)}"
            ": retry k comes backoff * 2 ** (k - 1) after the failed try ends, and a success "
            "or the last attempt ends the check")
        spans.append((first, first + took))
    fault = slot_fault(spans, [begin] * len(spans), limit)
    assert fault is None or fault[0] != "peak", (
        f"{given_as}, {fault and fault[2]} checks were running at once from "
        f"{fault and secs(fault[1])}; at most limit={limit} (a check keeps its place through "
        "its retries and backoff)")
    assert fault is None, (
        f"{given_as}, svc{fault[2]} waited for a slot from {secs(fault[1])}, while fewer "
        f"than {limit} checks ran; it started at {secs(spans[fault[2]][0])}: a check starts "
        "the moment a slot frees (no polling, no fixed batches)")
    last = max(end for _, end in spans)
    assert same_time(ended, last), (
        f"{given_as}, round() returned at {secs(ended)}; the last check ended at {secs(last)}"
        ": return once every check has ended, no later")
    for index, ((_, took, up), (start, end)) in enumerate(zip(models, spans, strict=True)):
        figures = (up, 1, int(up), int(not up), [took] if up else [])
        assert seen[index][:4] == figures[:4] and len(seen[index][4]) == len(figures[4]) and (
                all(map(same_time, seen[index][4], figures[4]))), (
            f"{given_as}, when round() returned svc{index}'s report said (up, checks, "
            f"successes, consecutive_failures, latencies) = {seen[index]}; expected "
            f"{figures}: a check's latency runs from its first try ({secs(start)}) to its end "
            f"({secs(end)}), and the report is up to date when the round returns")
    expected_changes = sorted((round(end, 6), url, up) for url, (_, end), (_, _, up)
                              in zip(urls, spans, models, strict=True))
    times_of = [change[0] for change in changes]
    assert (len(changes) == len(expected_changes) and times_of == sorted(times_of)
            and all(same_time(g[0], e[0]) and g[1:] == e[1:]
                    for g, e in zip(sorted(changes), expected_changes, strict=True))), (
        f"{given_as}, when round() returned, changes were {changes}; expected "
        f"{expected_changes} (in any order for ties): each service's first state, at the "
        "loop time its check ended")


@task3
@given(interval=durations(0.5, 2.0), latencies=st.lists(durations(0.001, 5.0), min_size=1,
                                                         max_size=3),
       limit=st.integers(1, 2), extra=durations(0.0, 4.0), rounds=st.integers(2, 4))
@example(interval=1.0, latencies=[2.5, 0.25], limit=1, extra=1.5, rounds=3)
@example(interval=0.5, latencies=[1.2, 0.7, 0.333], limit=2, extra=0.25, rounds=4)
@cheap(3)
def test_overlapping_rounds_share_one_limit(server: aioresponses, interval: float,
                                           latencies: list[float], limit: int, extra: float,
                                           rounds: int) -> None:
    """for any schedule whose checks outlast the interval: never more than `limit` checks at once,
    on-demand ones too

    A round() and a check() asked for on demand meanwhile count against the same limit, and each
    check starts as soon as a slot frees.
    """
    urls = services(len(latencies))
    stop = (rounds - 1) * interval + interval / 2 + 0.0005  # off the grid
    given_as = (f"With limit={limit}, interval={secs(interval)} and services answering in "
                f"{listing(secs(t) for t in latencies)}, start() at 0 s, round() and "
                f"check(svc0) asked for on demand at {secs(extra)}, stop() at {secs(stop)}")
    arrivals = scripted(server, {url: itertools.repeat(("answer", 200, latency))
                                 for url, latency in zip(urls, latencies, strict=True)})

    async def scenario() -> None:
        monitor = monitoring.Monitor(list(urls), interval=interval, limit=limit, timeout=60.0)
        await monitor.start()
        await asyncio.sleep(extra)
        on_demand = [asyncio.create_task(monitor.round()),
                     asyncio.create_task(monitor.check(urls[0]))]
        await asyncio.sleep(stop - extra)
        for task in on_demand:
            task.cancel()
        await asyncio.gather(*on_demand, return_exceptions=True)
        await monitor.stop()

    run_virtual(scenario)
    spans = sorted((start, min(start + latency, stop))
                   for url, latency in zip(urls, latencies, strict=True)
                   for start in arrivals[url] if start < stop)
    asked = sorted([round(k * interval, 6) for k in range(rounds) for _ in urls]
                   + [extra] * (len(urls) + 1))[:len(spans)]
    fault = slot_fault(spans, asked, limit)
    assert fault is None or fault[0] != "peak", (
        f"{given_as}: {fault and fault[2]} checks were running at once from "
        f"{fault and secs(fault[1])}; at most limit={limit}: the limit is the monitor's, shared "
        "by every check (rounds that overlap, a round or a check on demand), not one per round")
    assert fault is None, (
        f"{given_as}: checks started at {listing(secs(start) for start, _ in spans)}; from "
        f"{secs(fault[1])} a check was waiting while fewer than {limit} ran: a check starts as "
        "soon as a slot frees")


@task3
@pytest.mark.parametrize("point", ["waiting for a slot", "waiting for the rate",
                                   "waiting for an answer", "sleeping before a retry"])
async def test_a_check_cancelled_at_any_point_frees_its_place(point: str,
                                                             http_mock: MockHttp) -> None:
    """a check cancelled by its caller at any point records nothing and gives its place back

    The point may be waiting for a slot or the rate, during a try, or before a retry; with limit=1,
    a later check then starts at once.
    """
    http_mock.reply(B, latency=1.0 if point == "waiting for a slot" else 0.1)
    http_mock.reply(A, 503 if point == "sleeping before a retry" else 200,
                    latency=30.0 if point == "waiting for an answer" else 0.25)
    http_mock.reply(C, latency=1.0)
    monitor = await started([A, B, C], limit=1, rate=1.0, attempts=2, backoff=1.0, timeout=60.0)
    start = now()
    expect_requests(B, (start, start + (1.0 if point == "waiting for a slot" else 0.1),
                        timeline.RETURNED))
    if point == "waiting for an answer":  # tried at 1 s, cut short by the cancel at 1.5 s
        expect_requests(A, (start + 1.0, start + 1.5, timeline.CANCELLED))
    elif point == "sleeping before a retry":  # tried at 1 s, 503 at 1.25 s, no retry
        expect_requests(A, (start + 1.0, start + 1.25, timeline.RETURNED))
    expect_requests(C, (start + 5.0, start + 6.0, timeline.RETURNED))  # at once, at 5 s
    first = asyncio.create_task(monitor.check(B))  # starts at 0 s
    await asyncio.sleep(0.2)
    cancelled = asyncio.create_task(monitor.check(A))  # starts at 1 s (rate 1 per second)
    await asyncio.sleep(0.3 if point in ("waiting for a slot", "waiting for the rate") else 1.3)
    cancelled.cancel()
    _, cancel_error = await settle(cancelled)
    await settle(first)
    await asyncio.sleep(5.0 - now())
    following = asyncio.create_task(monitor.check(C))
    await asyncio.wait([following], timeout=10.0)
    ended = now() if following.done() else None
    following.cancel()
    result, error = await settle(following)
    await monitor.stop()
    given_as = (f"With limit=1, rate=1, attempts=2 and backoff=1 s, a check cancelled by its "
                f"caller while {point}; a check asked for at 5.0 s")
    assert isinstance(cancel_error, asyncio.CancelledError), (
        f"{given_as}: the cancelled check {outcome(None, cancel_error)}; expected "
        "CancelledError")
    assert same_time(http_mock.times(C), [5.0]) and error is None and result is True and (
        same_time(ended, 6.0)), (
        f"{given_as} was tried at {http_mock.times(C)} and "
        + (f"{outcome(result, error)} at {secs(ended)}" if ended is not None
           else "had not returned 10 s later")
        + "; expected it to start at once (5.0 s) and return True at 6.0 s: a check gives "
        "its place back however it ends, cancelled at any point too (hold the slot in an "
        "`async with`, and wait for the rate inside it)")
    report = monitor.reports[A]
    assert all(isinstance(change, tuple | list) and len(change) > 1
               for change in monitor.changes), (
        f"monitor.changes is {show(monitor.changes)}; expected a list of (loop time, url, up) "
        "tuples")
    assert report.checks == 0 and not [c for c in monitor.changes if c[1] == A], (
        f"{given_as}: the cancelled check was recorded (checks={report.checks}, changes "
        f"{monitor.changes}); a cancelled check records nothing")


@task3
async def test_a_cancelled_check_frees_its_place(http_mock: MockHttp) -> None:
    """a check cancelled by its caller frees its place: with limit=1, the next check starts at
    once and ends"""
    http_mock.reply(A, latency=30.0)
    http_mock.reply(B, latency=1.0)
    monitor = await started([A, B], limit=1, timeout=60.0)
    start = now()
    expect_requests(A, (start, start + 0.5, timeline.CANCELLED))
    expect_requests(B, (start + 0.5, start + 1.5, timeline.RETURNED))  # at once, in its place
    expect_calls((start + 0.5, start + 0.5, timeline.CANCELLED),
                 (start + 1.5, start + 1.5, timeline.RETURNED))
    cancelled = asyncio.create_task(monitor.check(A))
    await asyncio.sleep(0.5)
    cancelled.cancel()
    await settle(cancelled)
    following = asyncio.create_task(monitor.check(B))
    await asyncio.wait([following], timeout=10.0)
    ended = now() if following.done() else None
    following.cancel()
    result, error = await settle(following)
    await monitor.stop()
    given_as = ("With limit=1, a check of a service answering in 30 s was cancelled by its "
                "caller at 0.5 s; a check of one answering in 1 s, asked for then,")
    assert same_time(http_mock.times(B), [0.5]) and error is None and result is True and (
        same_time(ended, 1.5)), (
        f"{given_as} was tried at {http_mock.times(B)} and "
        + (f"{outcome(result, error)} at {secs(ended)}" if ended is not None
           else "had not returned 10 s later")
        + "; expected it to start at once (0.5 s) and return True at 1.5 s: a check gives "
        "its place back however it ends, cancelled too (free the slot in a `finally` or an "
        "`async with`)")


@task3
async def test_rate_spaces_the_checks(http_mock: MockHttp) -> None:
    """with `rate`, check starts are spaced 1 / rate seconds apart"""
    urls = services(4)
    for url in urls:
        http_mock.reply(url)
    monitor = await started(urls, rate=2.0)
    await asyncio.sleep(1.0)
    await monitor.round()
    await monitor.stop()
    starts = sorted(t for url in urls for t in http_mock.times(url))
    assert same_time(starts, [1.0, 1.5, 2.0, 2.5]), (
        f"with rate=2 (checks per second), 4 checks from 1.0 s started at {starts}; expected "
        "[1.0, 1.5, 2.0, 2.5]"
    )


@task3
async def test_an_infinite_rate_does_not_pace(http_mock: MockHttp) -> None:
    """rate=math.inf paces nothing: the checks of a round start at once, as without a rate"""
    urls = services(4)
    for url in urls:
        http_mock.reply(url, latency=1.0)
    start = now()
    for url in urls:  # all 4 at once
        expect_requests(url, (start, start + 1.0, timeline.RETURNED))
    expect_calls((start, start, timeline.RETURNED), (start, start + 1.0, timeline.RETURNED))
    monitor, error = await settle(started(urls, rate=math.inf))
    assert error is None, (
        f"Monitor(urls, rate=math.inf) {outcome(monitor, error)}; expected it accepted: an "
        "infinite rate means no pacing")
    result, error = await settle(monitor.round())
    ended = now()
    await monitor.stop()
    starts = sorted(t for url in urls for t in http_mock.times(url))
    assert error is None and same_time(starts, [0, 0, 0, 0]) and same_time(ended, 1.0), (
        f"With rate=math.inf (1 / rate = 0 s) and limit 4, a round over 4 services of 1 s "
        f"{outcome(result, error)} at {secs(ended)}, its checks starting at {starts}; expected "
        "all 4 to start at 0 s and the round to end at 1.0 s: an infinite rate spaces checks "
        "0 s apart")


@task3
@given(latencies=st.lists(durations(0.001, 1.5), min_size=1, max_size=4),
       rate=st.one_of(st.integers(1, 8), durations(0.05, 1.5).map(lambda gap: 1 / gap)),
       limit=st.integers(1, 4), begin=durations(0.0, 2.0), pause=durations(0.0, 3.0))
@example(latencies=[5.0, 0.1, 0.1], rate=1, limit=1, begin=0.0, pause=0.5)
@example(latencies=[0.25, 0.25, 0.25], rate=1 / 0.333, limit=3, begin=0.5, pause=2.0)
@cheap(4)
def test_rate_and_limit_start_each_check_as_soon_as_allowed(
        server: aioresponses, latencies: list[float], rate: float, limit: int, begin: float,
        pause: float) -> None:
    """for any rate, limit and latencies: checks start at least 1 / rate apart, each as soon as the
    limit and the rate allow

    This holds over two rounds.
    """
    urls = services(len(latencies))
    gap = 1 / rate
    given_as = (f"With services answering in {listing(secs(t) for t in latencies)}, "
                f"rate={rate:.4g} (1 / rate = {secs(gap)}) and limit={limit}, round() at "
                f"{secs(begin)} and again {secs(pause)} after it returned")
    arrivals = scripted(server, {url: [("answer", 200, latency)] * 2
                                 for url, latency in zip(urls, latencies, strict=True)})

    async def scenario() -> list[float]:
        monitor = await started(list(urls), rate=rate, limit=limit, timeout=10.0)
        await asyncio.sleep(begin)
        asked = [now()]
        await monitor.round()
        await asyncio.sleep(pause)
        asked.append(now())
        await monitor.round()
        asked.append(now())
        await monitor.stop()
        return asked

    first, second, ended = run_virtual(scenario)
    tried = [arrivals[url] for url in urls]
    assert all(len(times) == 2 for times in tried), (
        f"{given_as}, the services were tried at {tried}; expected once per round")
    spans = [(times[r], times[r] + latency) for r in (0, 1)
             for times, latency in zip(tried, latencies, strict=True)]
    asked = [first] * len(urls) + [second] * len(urls)
    starts = sorted(start for start, _ in spans)
    close_pairs = [(a, b) for a, b in itertools.pairwise(starts) if b - a < gap - CLOCK_RESOLUTION]
    assert not close_pairs, (
        f"{given_as}, checks started at {listing(secs(t) for t in starts)}: "
        f"{secs(close_pairs[0][0])} and {secs(close_pairs[0][1])} are closer than 1 / rate = "
        f"{secs(gap)} (pace the start of each check, after it gets its slot)")
    fault = slot_fault(spans, asked, limit, gap)
    assert fault is None or fault[0] != "peak", (
        f"{given_as}, {fault and fault[2]} checks ran at once from {fault and secs(fault[1])}")
    assert fault is None, (
        f"{given_as}, checks started at {listing(secs(t) for t in starts)}: from "
        f"{secs(fault[1])} a check could start (a free slot, the last start {secs(gap)} or "
        "more ago) but waited: start each check as soon as the limit and the rate allow")
    last = max(end for _, end in spans)
    assert same_time(ended, last), (
        f"{given_as}, the second round() returned at {secs(ended)}; its last check ended at "
        f"{secs(last)}")


def spans_recorded(server: aioresponses, plan: dict[str, Try],
                   timeout: float) -> dict[str, list[tuple[float, float, bool]]]:
    """Each URL of `plan` answers every request with its fate; returns, per URL, each request's
    (arrival, end, found up), the end recorded however it ends (answered, refused, cut)."""
    server.clear()
    spans: dict[str, list[tuple[float, float, bool]]] = {url: [] for url in plan}

    async def answer_timed(fate: Try, seen: list[tuple[float, float, bool]], url: Any,
                           **_kwargs: Any) -> CallbackResult:
        kind, status, latency = fate
        arrived = round(now(), 6)
        try:
            await asyncio.sleep(latency)
        finally:
            seen.append((arrived, round(now(), 6), one_try(fate, timeout)[1]))
        if kind == "refused":
            raise aiohttp.ClientConnectionError(f"Cannot connect to host {url.host}")
        return CallbackResult(status=status, body="ok")

    for url, fate in plan.items():
        server.get(url, repeat=True,
                   callback=functools.partial(answer_timed, fate, spans[url]))
    return spans


LONG_RUN_FATES: list[Try] = [("answer", 200, 5.0), ("refused", 0, 0.05), ("answer", 503, 0.2),
                             ("answer", 200, 0.3), ("answer", 200, 0.9)]


@task3
@pytest.mark.parametrize("bound", ["limit", "rate"])
def test_the_limit_and_the_rate_hold_over_a_long_run(server: aioresponses, bound: str) -> None:
    """over a minute of failing, retried and cancelled checks, the limit and the rate hold

    Over a minute of rounds with failures, timeouts, retries and cancelled checks, never more
    than `limit` requests at once, and check starts never closer than 1 / rate.

    Checks asked for on demand are cancelled while they wait for a slot, wait for the rate or wait
    for an answer; the bounds must hold after them as in the first round.
    """
    urls = services(len(LONG_RUN_FATES))
    if bound == "limit":  # a backlog of checks waiting for a slot, some cancelled there
        limit, rate, interval, timeout, backoff = 2, None, 6.0, 1.0, 0.25
        cancels = [(7.3, 8.1, None), (15.05, 15.3, urls[3]), (21.0, 21.7, None),
                   (33.1, 35.0, None)]
    else:  # checks cancelled while waiting for the rate, with later turns already given
        limit, rate, interval, timeout, backoff = 8, 2.0, 3.0, 0.4, 0.123
        cancels = [(7.3, 9.2, None), (15.05, 15.3, urls[3]), (19.6, 21.2, None),
                   (33.1, 35.0, None)]
    plan = dict(zip(urls, LONG_RUN_FATES, strict=True))
    spans = spans_recorded(server, plan, timeout)
    given_as = (f"With limit={limit}, "
                + ("no rate" if rate is None else f"rate={rate:g} (1 / rate = {secs(1 / rate)})")
                + f", interval={secs(interval)}, timeout={secs(timeout)}, attempts=3, "
                f"backoff={secs(backoff)}, services answering "
                + ", ".join(f"svc{i}: {said(fate, timeout)}"
                            for i, fate in enumerate(LONG_RUN_FATES))
                + ", and on demand "
                + ", ".join(f"{'round()' if url is None else 'check(svc3)'} from {secs(a)} "
                            f"cancelled at {secs(b)}" for a, b, url in cancels)
                + ", over 60 s")

    async def scenario() -> None:
        monitor = monitoring.Monitor(list(urls), interval=interval, timeout=timeout,
                                     attempts=3, backoff=backoff, limit=limit, rate=rate)
        await monitor.start()
        for asked, cancelled, url in cancels:
            await asyncio.sleep(asked - now())
            task = asyncio.create_task(monitor.round() if url is None else monitor.check(url))
            await asyncio.sleep(cancelled - now())
            task.cancel()
            await settle(task)
        await asyncio.sleep(60.0 - now())
        await monitor.stop()

    run_virtual(scenario)
    every = sorted((start, end) for seen in spans.values() for start, end, _ in seen)
    assert len(every) > 40, f"{given_as}: only {len(every)} requests were made"
    fault = slot_fault(every, [start for start, _ in every], limit)
    assert fault is None, (
        f"{given_as}: {fault and fault[2]} requests were in flight at once from "
        f"{fault and secs(fault[1])}; at most limit={limit}, at any time of the run: a check "
        "gives back exactly the slot it took, once, however it ends (a timeout, a failure, "
        "cancelled while waiting for a slot)")
    if rate is None:
        return
    gap = 1 / rate
    retries = {(url, start) for url, seen in spans.items() for start, _, _ in seen
               if any(not up and (same_time(start, end + backoff)
                                  or same_time(start, end + 2 * backoff))
                      for _, end, up in seen)}  # retry 1 or 2 of a failed try
    starts = sorted(start for url, seen in spans.items() for start, _, _ in seen
                    if (url, start) not in retries)
    close = [(a, b) for a, b in itertools.pairwise(starts) if b - a < gap - CLOCK_RESOLUTION]
    assert not close, (
        f"{given_as}: checks started (first tries) at {listing(secs(t) for t in starts)}; "
        f"{secs(close[0][0])} and {secs(close[0][1])} are closer than 1 / rate = {secs(gap)}: "
        "the rate holds over the whole run (a check cancelled while waiting for the rate keeps "
        "the turns of the checks behind it as they were)")


# Task 4: report uptime, latency and changes: `ServiceReport.latency`.

@task4
def test_uptime_and_latency_figures() -> None:
    """uptime is successes / checks; latency gives min, median, p95 (nearest rank) and max"""
    latencies = [float(n) for n in range(20, 0, -1)]
    report = monitoring.ServiceReport(A, up=True, checks=25, successes=20, latencies=latencies)
    figures = report.latency
    assert report.uptime == pytest.approx(0.8), f"uptime of 20 in 25 checks: {report.uptime!r}"
    assert tuple(figures or ()) == (1.0, 10.5, 19.0, 20.0), (
        f"latencies 1..20 gave {figures!r}; expected min 1.0, median 10.5, p95 19.0 (the "
        "19th of 20, sorted: nearest rank), max 20.0"
    )


@task4
@given(latencies=st.lists(durations(0.001, 10.0), max_size=25), failures=st.integers(0, 10))
@example(latencies=[float(n) for n in range(20, 0, -1)], failures=5)
@example(latencies=[], failures=3)
@example(latencies=[2.0, 2.0, 1.0, 3.0], failures=0)
@settings(max_examples=15)
def test_figures_of_any_report(latencies: list[float], failures: int) -> None:
    """for any latencies and failures: uptime is successes / checks, latency is min, median, p95 and
    max of the latencies

    p95 is by nearest rank, and the latency figures are None when there are no latencies.
    """
    checks = len(latencies) + failures
    assume(checks > 0)
    report = monitoring.ServiceReport(A, up=bool(latencies), checks=checks,
                                      successes=len(latencies), latencies=list(latencies))
    given_as = (f"A report of {checks} checks, {len(latencies)} successful with latencies "
                f"{latencies}")
    assert report.uptime == pytest.approx(len(latencies) / checks), (
        f"{given_as} gave uptime={report.uptime!r}; expected {len(latencies)} / {checks}")
    if not latencies:
        assert report.latency is None, f"{given_as} gave latency={report.latency!r}; expected None"
        return
    ordered = sorted(latencies)
    rank = math.ceil(0.95 * len(ordered))
    expected = (ordered[0], statistics.median(ordered), ordered[rank - 1], ordered[-1])
    got = report.latency
    assert got is not None and tuple(got) == pytest.approx(expected), (
        f"{given_as} gave {got!r}; expected min={expected[0]}, median={expected[1]} (the "
        f"middle one, or the mean of the two middle ones), p95={expected[2]} (the {rank}th of "
        f"{len(ordered)}, sorted: nearest rank), max={expected[3]}")
    assert report.latencies == latencies, (
        f"{given_as}: reading .latency changed the latencies to {report.latencies}")


@task4
@given(answers=st.lists(st.tuples(st.sampled_from([200, 204, 399, 400, 503, 0]),
                                  durations(0.001, 1.0), durations(0.0, 2.0)),
                        min_size=1, max_size=5))
@example(answers=[(200, 0.5, 0.0), (200, 0.25, 0.0), (503, 0.001, 1.0), (503, 0.5, 0.0),
                  (0, 0.125, 0.0), (200, 1.0, 3.0)])
@cheap(5)
def test_each_check_updates_the_report_and_the_changes(
        server: aioresponses, answers: list[tuple[int, float, float]]) -> None:
    """for any answers, as each check() returns, every figure of the report and every state change
    is already recorded

    It holds for any latencies too, and each state change is recorded at the loop time its check
    ended.
    """
    fates = [("refused", 0, latency) if status == 0 else ("answer", status, latency)
             for status, latency, _ in answers]
    told = ", ".join(f"{said(fate, 2.0)} (after a pause of {secs(pause)})"
                     for fate, (_, _, pause) in zip(fates, answers, strict=True))
    given_as = f"Checking {A} once after another, as it answered {told}"
    scripted(server, {A: fates})

    async def scenario() -> list[Any]:
        monitor = await started([A])
        seen = []
        for _, _, pause in answers:
            await asyncio.sleep(pause)
            up = await monitor.check(A)
            report = monitor.reports[A]
            seen.append((now(), up, report.up, report.checks, report.successes,
                         report.consecutive_failures, list(report.latencies), report.uptime,
                         report.latency, list(monitor.changes)))
        await monitor.stop()
        return seen

    seen = run_virtual(scenario)
    latencies: list[float] = []
    changes: list[tuple[float, str, bool]] = []
    failures = 0
    for number, (fate, record) in enumerate(zip(fates, seen, strict=True), start=1):
        ended, got, *figures = record
        took, up = one_try(fate, 2.0)
        if up:
            latencies.append(took)
        failures = 0 if up else failures + 1
        if not changes or changes[-1][2] is not up:
            changes.append((ended, A, up))
        ordered = sorted(latencies)
        latency = (ordered[0], statistics.median(ordered),
                   ordered[math.ceil(0.95 * len(ordered)) - 1], ordered[-1]) if ordered else None
        expected = [up, number, len(latencies), failures, latencies, len(latencies) / number,
                    latency, changes]
        shown = ["up", "checks", "successes", "consecutive_failures", "latencies", "uptime",
                 "latency", "changes"]
        timed = {"latencies", "latency", "changes"}  # loop time; counts and uptime are exact
        assert got is up, f"{given_as}, check {number} returned {got!r}; expected {up}"
        wrong = [f"{name}={value!r} (expected {want!r})"
                 for name, value, want in zip(shown, figures, expected, strict=True)
                 if not (same_time if name in timed else same)(value, want)]
        assert not wrong, (
            f"{given_as}: when check {number} returned at {secs(ended)}, the monitor said "
            f"{', '.join(wrong)}: update the report and record a change (only when the state "
            "differs from the previous one) before check() returns")


@task4
@pytest.mark.parametrize(("latencies", "expected"), [
    ([0.25], (0.25, 0.25, 0.25, 0.25)), ([3.0, 1.0, 2.0], (1.0, 2.0, 3.0, 3.0))],
    ids=["one", "three"])
def test_latency_of_few_checks(latencies: list[float], expected: tuple[float, ...]) -> None:
    """latency figures of few checks"""
    figures = monitoring.ServiceReport(A, latencies=latencies).latency
    assert tuple(figures or ()) == expected, f"latencies {latencies} gave {figures!r}"


@task4
def test_figures_before_any_check() -> None:
    """before any check, uptime and latency are None"""
    report = monitoring.ServiceReport(A)
    assert (report.uptime, report.latency) == (None, None), (
        f"a new report said uptime={report.uptime!r}, latency={report.latency!r}; expected None"
    )


@task4
async def test_state_changes_are_reported_once(http_mock: MockHttp) -> None:
    """a state change is reported once, when it happens (the first state included)"""
    http_mock.sequence(A, [200, 200, 503, 503, 503, 200])
    monitor = monitoring.Monitor([A], interval=10.0)
    await monitor.start()
    await asyncio.sleep(55.0)
    await monitor.stop()
    assert same_time(monitor.changes, [(0, A, True), (20, A, False), (50, A, True)]), (
        f"checks at 0..50 s answered 200, 200, 503, 503, 503, 200; changes were "
        f"{monitor.changes}. Expected [(0, url, True), (20, url, False), (50, url, True)]: "
        "each change once, not every failing check"
    )
    report = monitor.reports[A]
    assert (report.up, report.consecutive_failures, report.uptime) == (True, 0, 0.5), (
        f"the report ended with up={report.up}, consecutive_failures="
        f"{report.consecutive_failures}, uptime={report.uptime}; expected True, 0, 0.5"
    )


# Task 5: start and stop cleanly: `Monitor.stop()`.

@task5
async def test_stop_cancels_checks_and_closes_the_session(http_mock: MockHttp) -> None:
    """stop() cancels the checks in flight, closes the session, leaves no task"""
    http_mock.reply(A, latency=30.0)
    with sessions_opened() as opened:
        monitor = monitoring.Monitor([A], timeout=60.0)
        expect_requests(A, (now(), now() + 1.0, timeline.CANCELLED))  # by stop(), at 1 s
        await monitor.start()
        await asyncio.sleep(1.0)
        await monitor.stop()
    left = running_tasks()
    assert same_time(now(), 1.0) and not left, (
        f"stop() at 1 s, with a 30 s check in flight, returned at {secs(now())} leaving "
        f"{left}; expected at once, with no task left"
    )
    assert len(opened) == 1 and opened[0].closed, (
        f"the monitor opened {len(opened)} session(s); expected one, closed by stop()"
    )


@task5
async def test_async_with_starts_and_stops(http_mock: MockHttp) -> None:
    """`async with Monitor(...) as monitor:` starts the schedule and stops it on leaving"""
    http_mock.reply(A)
    expect_requests(A, *((now() + t, now() + t, timeline.RETURNED) for t in (0, 1, 2)))
    async with monitoring.Monitor([A], interval=1.0) as monitor:
        await asyncio.sleep(2.5)
    await asyncio.sleep(5.0)
    assert same_time(http_mock.times(A), [0, 1, 2]) and monitor.reports[A].checks == 3, (
        f"inside `async with` for 2.5 s (interval 1 s) the service was checked at "
        f"{http_mock.times(A)}; expected [0, 1, 2] and nothing after leaving"
    )


@task5
async def test_stop_cancels_every_kind_of_wait(http_mock: MockHttp) -> None:
    """stop() cancels checks waiting for a slot, sleeping before a retry or waiting for an answer;
    they record nothing"""
    http_mock.reply(A, 503)
    http_mock.reply(B, latency=30.0)
    http_mock.reply(C, latency=30.0)
    with sessions_opened() as opened:
        monitor = monitoring.Monitor([A, B, C], limit=2, attempts=3, backoff=1.0, timeout=60.0)
        start = now()  # A answers 503 at once, its retry due at 1 s; B is cut at 0.5 s
        expect_requests(A, (start, start, timeline.RETURNED))
        expect_requests(B, (start, start + 0.5, timeline.CANCELLED))
        await monitor.start()
        await asyncio.sleep(0.5)
        await monitor.stop()
    left = running_tasks()
    counts = {url: monitor.reports[url].checks for url in (A, B, C)}
    assert same_time(now(), 0.5) and not left and opened[0].closed, (
        f"stop() at 0.5 s, with one check sleeping before its retry, one waiting for its "
        f"answer and one waiting for a slot (limit=2), returned at {secs(now())} leaving "
        f"{left or 'no task'}, session closed: {opened[0].closed}; expected at once, no task "
        "left, the session closed"
    )
    assert set(counts.values()) == {0} and monitor.changes == [], (
        f"after stop() cancelled every check, the reports counted {counts} checks and changes "
        f"were {monitor.changes}; a cancelled check records nothing"
    )
    assert same_time(http_mock.times(A), [0]) and http_mock.times(C) == [], (
        f"requests: {A} at {http_mock.times(A)}, {C} at {http_mock.times(C)}; expected [0] "
        "and none (the cancelled checks must not go on)"
    )


async def hangs_up_slowly(url: Any, **_kwargs: Any) -> CallbackResult:
    """A server that answers after 30 s; a request cancelled before then takes 0.5 s more to
    end (its connection is slow to close)."""
    try:
        await asyncio.sleep(30.0)
    except asyncio.CancelledError:
        await asyncio.sleep(0.5)
        raise
    return CallbackResult(status=200, body="ok")


@task5
async def test_stop_waits_for_the_cancelled_checks_to_end(server: aioresponses) -> None:
    """stop() waits for the checks it cancelled, even a request taking 0.5 s to wind down: when it
    returns, no task is left"""
    server.get(A, repeat=True, callback=hangs_up_slowly)
    with sessions_opened() as opened:
        monitor = monitoring.Monitor([A], timeout=60.0)
        await monitor.start()
        await asyncio.sleep(1.0)
        await monitor.stop()
    returned = now()
    left = running_tasks()
    closed = [session.closed for session in opened]
    await asyncio.sleep(1.0)  # whatever was left ends now, so this spec says what went wrong
    assert not left and same_time(returned, 1.5), (
        f"stop() at 1 s, with a check in flight whose request takes 0.5 s to end once "
        f"cancelled, returned at {secs(returned)} leaving {left or 'no task'}; expected it to "
        "return at 1.5 s with no task left: after cancelling the checks, await them (gather "
        "or wait) before closing the session")
    assert closed == [True], (
        f"the monitor opened {len(closed)} session(s), closed when stop() returned: {closed}; "
        "expected one, closed")


async def winds_down(events: list[tuple[str, float]], url: Any,
                     **_kwargs: Any) -> CallbackResult:
    """A server that answers after 30 s; a cancelled request takes 0.5 s to wind down, and says
    whether a second cancellation cut that short."""
    try:
        await asyncio.sleep(30.0)
    except asyncio.CancelledError:
        events.append(("cancelled", round(now(), 6)))
        try:
            await asyncio.sleep(0.5)
        except asyncio.CancelledError:
            events.append(("cancelled again", round(now(), 6)))
            raise
        events.append(("wound down", round(now(), 6)))
        raise
    return CallbackResult(status=200, body="ok")


@task5
async def test_stop_cancels_each_check_once_and_closes_the_session_after_it(
        server: aioresponses, monkeypatch: pytest.MonkeyPatch) -> None:
    """stop() cancels a check in flight once, waits for its clean-up to run to its end, and only
    then closes the session

    Cancelling twice would cut the clean-up short; closing the session before the cancelled checks
    end pulls it from under them.
    """
    events: list[tuple[str, float]] = []
    server.get(A, repeat=True, callback=functools.partial(winds_down, events))
    closing: list[tuple[float, list[tuple[str, float]]]] = []
    real_close = aiohttp.ClientSession.close

    async def close(session: aiohttp.ClientSession) -> None:
        closing.append((round(now(), 6), list(events)))
        await real_close(session)

    monkeypatch.setattr(aiohttp.ClientSession, "close", close)
    monitor = monitoring.Monitor([A], timeout=60.0)
    await monitor.start()
    await asyncio.sleep(1.0)
    await monitor.stop()
    returned = now()
    await asyncio.sleep(1.0)  # whatever was left ends now
    given_as = ("stop() at 1 s, with a check in flight whose request takes 0.5 s to wind down "
                "once cancelled")
    expected = [("cancelled", 1.0), ("wound down", 1.5)]
    assert same_time(events, expected), (
        f"{given_as}: the request saw {events}; expected {expected}: cancel each check once "
        "and wait for it (a second cancel() cuts its clean-up short)")
    assert closing and same_time(closing[0], (1.5, expected)) and same_time(returned, 1.5), (
        f"{given_as}: the session was closed at "
        + (f"{secs(closing[0][0])}, when the request had seen {closing[0][1]}" if closing
           else "no time")
        + f", and stop() returned at {secs(returned)}; expected it closed at 1.5 s, once the "
        "cancelled check had wound down, and stop() to return then: cancel, await the checks, "
        "then close the session, in that order")


@task5
async def test_async_with_gives_the_monitor_and_stops_on_error(http_mock: MockHttp) -> None:
    """`async with Monitor(...) as m` gives the monitor itself, and stops it when the block
    raises, letting the error through"""
    http_mock.reply(A, latency=30.0)
    boom = ValueError("boom")
    monitor = monitoring.Monitor([A], timeout=60.0)
    start = now()  # the block raises at 1 s: the check in flight is cancelled, the error goes on
    expect_requests(A, (start, start + 1.0, timeline.CANCELLED))
    expect_calls((start, start + 1.0, timeline.FAILED))
    with sessions_opened() as opened:
        async def block() -> Any:
            async with monitor as given:
                await asyncio.sleep(1.0)
                raise boom
            return given

        result, error = await settle(block())
    left = running_tasks()
    assert error is boom, (
        f"a block raising {boom!r} inside `async with Monitor(...)` {outcome(result, error)}; "
        "expected the error to go on (__aexit__ must not swallow it)"
    )
    assert not left and len(opened) == 1 and opened[0].closed, (
        f"after the block raised, {left or 'no task'} was left and the session closed: "
        f"{[s.closed for s in opened]}; expected the monitor stopped (no task, session closed)"
    )
    http_mock.reply(B)
    other = monitoring.Monitor([B])
    async with other as given:
        same_monitor = given is other
    assert same_monitor, f"`async with monitor as m` gave m = {show(given)}; expected the monitor"


@task5
async def test_stop_before_start_is_refused() -> None:
    """stop() before start() raises RuntimeError"""
    monitor = monitoring.Monitor([A])
    await rejects(RuntimeError, monitor.stop, shown="stop() before start()", named=())


# Task 6: measure throughput: `throughput(urls, limits)` (and the body read by every check, which
# needs throughput() too).

@task6
@given(count=st.integers(1, 4), latency=durations(0.001, 3.0),
       timeout=st.none() | durations(0.05, 3.0),
       limits=st.lists(st.integers(1, 5), min_size=1, max_size=3, unique=True),
       shape=iterable_shapes())
@example(count=4, latency=1.0, timeout=None, limits=[1, 2, 4], shape="list")
@example(count=1, latency=3.0, timeout=None, limits=[1], shape="list")
@example(count=2, latency=3.0, timeout=0.25, limits=[1], shape="generator")
@cheap(4)
def test_throughput_of_any_round(server: aioresponses, count: int, latency: float,
                                 timeout: float | None, limits: list[int], shape: str) -> None:
    """for any services, latency, timeout and limits: one round per limit, and checks per second of
    loop time for each

    The timeout is 2 s by default, and the rounds are done when it returns.
    """
    limit_s = 2.0 if timeout is None else timeout
    assume(latency != limit_s)
    urls = services(count)
    arrivals = scripted(server, {url: itertools.repeat(("answer", 200, latency)) for url in urls})
    took = min(latency, limit_s)
    expected = {limit: count / (math.ceil(count / limit) * took) for limit in limits}
    given_as = (f"{count} service(s) answering in {secs(latency)}, "
                + ("the default timeout" if timeout is None else f"timeout={secs(timeout)}")
                + f", limits {limits} (as a {shape})")

    async def scenario() -> Any:
        with sessions_opened() as opened:
            kwargs = {} if timeout is None else {"timeout": timeout}
            got = await monitoring.throughput(list(urls), shaped(limits, shape), **kwargs)
        return got, [session.closed for session in opened], sum(map(len, arrivals.values()))

    got, closed, requests = run_virtual(scenario)
    assert isinstance(got, dict) and same(sorted(got.items()), sorted(expected.items())), (
        f"{given_as}: throughput returned {got}; expected "
        f"{ {k: round(v, 4) for k, v in expected.items()} } checks per second (each round takes "
        f"ceil(services / limit) * {secs(took)} of loop time)")
    assert requests == count * len(limits) and closed and all(closed), (
        f"{given_as}: throughput made {requests} requests and left sessions closed: {closed}; "
        f"expected {count * len(limits)} (one round per limit), every session closed")


@task6
async def test_cancelled_throughput_stops_its_monitor(http_mock: MockHttp) -> None:
    """cancelled in the middle of a round, throughput stops the monitor it is measuring, its session
    closed

    When the cancellation comes through, no task is left and the monitor's session is closed.
    """
    http_mock.reply(A, latency=1.0)
    http_mock.reply(B, latency=1.0)
    with sessions_opened() as opened:
        measuring = asyncio.create_task(monitoring.throughput([A, B], [1, 2]))
        await asyncio.sleep(0.5)
        measuring.cancel()
        result, error = await settle(measuring)
    left = running_tasks()
    closed = [session.closed for session in opened]
    for session in opened:  # so that this spec, not the kit, says what went wrong
        await session.close()
    assert isinstance(error, asyncio.CancelledError), (
        f"throughput([A, B], [1, 2]) cancelled at 0.5 s, in its first round, "
        f"{outcome(result, error)}; expected CancelledError")
    assert not left and closed == [True], (
        f"throughput([A, B], [1, 2]) was cancelled at 0.5 s, in its first round; when the "
        f"cancellation came through, {left or 'no task'} was left and the sessions it opened "
        f"were closed: {closed}; expected no task left and its one session closed: stop the "
        "monitor in a `finally`, so a cancelled round stops it too")


@task6
async def test_throughput_reads_a_generator_of_urls_once(http_mock: MockHttp) -> None:
    """throughput accepts urls as a generator: it reads it once, and every round checks every URL"""
    urls = services(3)
    for url in urls:
        http_mock.reply(url, latency=1.0)
    result, error = await settle(monitoring.throughput((url for url in urls), [1, 3]))
    counts = [http_mock.requests(url) for url in urls]
    assert error is None and isinstance(result, dict) and same(
        sorted(result.items()), [(1, 1.0), (3, 3.0)]) and counts == [2, 2, 2], (
        f"throughput((url for url in three_urls), [1, 3]), each service answering in 1 s, "
        f"{outcome(result, error)} after {counts} requests to each; expected {{1: 1.0, 3: 3.0}} "
        "and 2 requests to each (one round per limit): read the urls once, into a list, and "
        "give that list to every monitor")


@task6
async def test_a_check_reads_the_body(http_mock: MockHttp) -> None:
    """a check reads the whole body of the response, in check() and throughput() alike

    A check reads the whole body of the response (so its connection goes back to the pool), in
    check() and in throughput() alike.
    """
    http_mock.reply(A, body="ok " * 1000, latency=0.1)
    http_mock.reply(B, 503, body="down " * 1000, latency=0.1)
    monitor = await started([A, B])
    await monitor.check(A)
    await monitor.check(B)
    await monitor.stop()
    await monitoring.throughput([A, B], [1])
    served = http_mock.responses()
    unread = [f"{response.url} ({response.status})" for response in served
              if not response.content.at_eof()]
    assert len(served) == 4 and not unread, (
        f"check(A), check(B) and throughput([A, B], [1]) got {len(served)} responses; "
        f"{len(unread)} were left unread: {unread}; expected 4 responses, each body read to its "
        "end (await response.read() inside the timeout), failing statuses too")


# Task 7: reject bad input: the monitor's arguments, and throughput's.

@task7
@pytest.mark.parametrize(("kwargs", "error", "argument", "value"), [
    ({"urls": []}, ValueError, "urls", "[]"), ({"urls": A}, TypeError, "urls", repr(A)),
    ({"urls": [A, "ftp://x.example.com"]}, ValueError, "urls", "ftp://x.example.com"),
    ({"interval": 0}, ValueError, "interval", "0"),
    ({"interval": True}, TypeError, "interval", "True"),
    ({"timeout": -1}, ValueError, "timeout", "-1"),
    ({"timeout": "2"}, TypeError, "timeout", "2"),
    ({"attempts": 0}, ValueError, "attempts", "0"),
    ({"attempts": 1.5}, TypeError, "attempts", "1.5"),
    ({"backoff": 0}, ValueError, "backoff", "0"),
    ({"backoff": -0.5}, ValueError, "backoff", "-0.5"),
    ({"limit": 0}, ValueError, "limit", "0"), ({"limit": True}, TypeError, "limit", "True"),
    ({"limit": 2.0}, TypeError, "limit", "2.0"),
    ({"rate": 0}, ValueError, "rate", "0"), ({"rate": "fast"}, TypeError, "rate", "fast"),
    ({"urls": [A, "httpx://x.example.com"]}, ValueError, "urls", "httpx://x.example.com"),
    ({"interval": "10"}, TypeError, "interval", "10"),
    ({"timeout": True}, TypeError, "timeout", "True"),
    ({"attempts": True}, TypeError, "attempts", "True"),
    ({"attempts": "3"}, TypeError, "attempts", "3"),
    ({"backoff": True}, TypeError, "backoff", "True"),
    ({"backoff": "0.5"}, TypeError, "backoff", "0.5"),
    ({"rate": True}, TypeError, "rate", "True"), ({"rate": -2}, ValueError, "rate", "-2"),
    ({"interval": math.nan}, ValueError, "interval", "nan"),
    ({"interval": math.inf}, ValueError, "interval", "inf"),
    ({"timeout": math.nan}, ValueError, "timeout", "nan"),
    ({"timeout": -math.inf}, ValueError, "timeout", "-inf"),
    ({"backoff": math.nan}, ValueError, "backoff", "nan"),
    ({"backoff": math.inf}, ValueError, "backoff", "inf"),
    ({"rate": math.nan}, ValueError, "rate", "nan"),
    ({"rate": -math.inf}, ValueError, "rate", "-inf"),
    ({"attempts": math.inf}, TypeError, "attempts", "inf"),
    ({"limit": math.nan}, TypeError, "limit", "nan"),
    ({"limit": False}, TypeError, "limit", "False")],
    ids=["urls=[]", "urls=a str", "urls with ftp://x.example.com", "interval=0",
         "interval=True", "timeout=-1", "timeout='2'", "attempts=0", "attempts=1.5", "backoff=0",
         "backoff=-0.5", "limit=0", "limit=True", "limit=2.0", "rate=0", "rate='fast'",
         "urls with httpx://x.example.com", "interval='10'", "timeout=True", "attempts=True",
         "attempts='3'", "backoff=True", "backoff='0.5'", "rate=True", "rate=-2",
         "interval=nan", "interval=inf", "timeout=nan", "timeout=-inf", "backoff=nan",
         "backoff=inf", "rate=nan", "rate=-inf", "attempts=inf", "limit=nan", "limit=False"])
async def test_rejects_bad_arguments(kwargs: dict[str, Any], error: type[Exception],
                                     argument: str, value: str) -> None:
    """rejects bad arguments: TypeError for a wrong type, ValueError for a bad value

    The error names the argument or its value.
    """
    arguments = {"urls": [A], **kwargs}
    urls = arguments.pop("urls")
    shown = f"Monitor({urls!r}, {arguments})"
    raised = await rejects(error, lambda: monitoring.Monitor(urls, **arguments), shown=shown,
                           named=())
    message = str(raised)
    assert names(message, argument) or names(message, value), (
        f"Called {shown}. It raised {error.__name__}({message!r}); the message should name "
        f"the argument `{argument}` or its bad value {value}"
    )


@task7
@pytest.mark.parametrize("item", [42, None, b"https://api.example.com/health"],
                         ids=["int", "None", "bytes"])
async def test_rejects_a_url_that_is_not_a_string(item: Any) -> None:
    """rejects urls holding an item that is not a string, naming the argument or the bad item

    The error is a TypeError or a ValueError.
    """
    shown = f"Monitor([{A!r}, {item!r}])"

    async def make() -> Any:
        return monitoring.Monitor([A, item])

    result, error = await settle(make())
    assert isinstance(error, TypeError | ValueError) and (
        names(str(error), "urls") or names(str(error), repr(item))), (
        f"Called {shown}. It {outcome(result, error)}; expected TypeError or ValueError with a "
        f"message that names `urls` or the bad item {item!r} (check each item is a string "
        "before reading it as a URL)")


@task7
async def test_throughput_rejects_bad_urls() -> None:
    """throughput rejects bad URLs like the monitor"""
    result, error = await settle(monitoring.throughput([], [1]))
    assert isinstance(error, ValueError), f"throughput([], [1]) {outcome(result, error)}"


@task7
@pytest.mark.parametrize(("urls", "limits", "kwargs", "error", "argument", "value"), [
    (A, [1], {}, TypeError, "urls", repr(A)),
    ([A], [True], {}, TypeError, "limit", "True"),
    ([A], [0], {}, ValueError, "limit", "0"),
    ([A], [1.0], {}, TypeError, "limit", "1.0"),
    ([A], [1], {"timeout": math.nan}, ValueError, "timeout", "nan"),
    ([A], [1], {"timeout": True}, TypeError, "timeout", "True")],
    ids=["urls=a str", "limit=True", "limit=0", "limit=1.0", "timeout=nan", "timeout=True"])
async def test_throughput_rejects_near_misses(urls: Any, limits: Any, kwargs: dict[str, Any],
                                              error: type[Exception], argument: str, value: str,
                                              http_mock: MockHttp) -> None:
    """throughput rejects bad urls, limits and timeout like the monitor, naming the argument or
    its value"""
    http_mock.reply(A)
    shown = f"throughput({urls!r}, {limits!r}" + "".join(
        f", {k}={v!r}" for k, v in kwargs.items()) + ")"
    raised = await rejects(error, lambda: monitoring.throughput(urls, limits, **kwargs),
                           shown=shown, named=())
    left = running_tasks()
    assert names(str(raised), argument) or names(str(raised), value), (
        f"Called {shown}. It raised {error.__name__}({str(raised)!r}); the message should name "
        f"`{argument}` or its bad value {value}")
    assert not left, f"Called {shown}. It raised, leaving {left}; expected no task left"
