"""Behaviour spec of kata 10, the capstone: a service health monitor. HTTP is mocked;
times are loop time."""

import asyncio
from typing import Any

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

monitoring = implementation("kata10_monitor", "monitor")

task1 = pytest.mark.task(1, "check a service: up or down")
task2 = pytest.mark.task(2, "a schedule that does not drift")
task3 = pytest.mark.task(3, "retries, a concurrency limit and a rate")
task4 = pytest.mark.task(4, "the report: uptime, latency, state changes")
task5 = pytest.mark.task(5, "start and stop cleanly")
task6 = pytest.mark.task(6, "measure throughput against the limit")

A, B = "https://api.example.com/health", "https://db.example.com/health"
C = "http://cache.example.com/health"


def services(count: int) -> list[str]:
    return [f"https://svc{n}.example.com/health" for n in range(count)]


async def started(urls: list[str], **kwargs: Any) -> Any:
    """A monitor with its session open and no schedule: checks only on demand."""
    monitor = monitoring.Monitor(urls, **kwargs)
    await monitor.open()
    return monitor


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
    monitor = await started([A])
    await monitor.check(A)
    default = now()
    monitor_fast = await started([A], timeout=0.5)
    await monitor_fast.check(A)
    await monitor.stop()
    await monitor_fast.stop()
    assert (default, now() - default) == (pytest.approx(2.0), pytest.approx(0.5)), (
        f"checks of a silent service gave up after {secs(default)} (default timeout) and "
        f"{secs(now() - default)} (timeout=0.5); expected 2.0 s and 0.5 s (use asyncio.timeout)"
    )


@task1
async def test_check_updates_the_report(http_mock: MockHttp) -> None:
    """each check is counted in the service's report"""
    http_mock.sequence(A, [200, 503, 503])
    monitor = await started([A])
    for _ in range(3):
        await monitor.check(A)
    await monitor.stop()
    report = monitor.reports[A]
    assert report.url == A, f"the report of {A} names {report.url!r}"
    got = (report.up, report.checks, report.successes, report.consecutive_failures)
    assert got == (False, 3, 1, 2), (
        f"after checks answered 200, 503, 503 the report says up={report.up}, "
        f"checks={report.checks}, successes={report.successes}, consecutive_failures="
        f"{report.consecutive_failures}; expected up=False, 3, 1, 2"
    )


@task1
async def test_round_checks_every_service(http_mock: MockHttp) -> None:
    """round() checks every service once, concurrently, and says which are up"""
    http_mock.reply(A, latency=1.0)
    http_mock.reply(B, 500, latency=1.0)
    http_mock.reply(C, latency=1.0)
    monitor = await started([A, B, C])
    got = await monitor.round()
    await monitor.stop()
    assert got == [True, False, True] and now() == pytest.approx(1.0), (
        f"round() over 3 services (the second answering 500), 1 s each, returned {show(got)} "
        f"after {secs(now())}; expected [True, False, True] after 1.0 s"
    )


@task1
async def test_check_needs_an_open_monitor() -> None:
    """check() before open() or start() raises RuntimeError"""
    monitor = monitoring.Monitor([A])
    await rejects(RuntimeError, lambda: monitor.check(A), shown="check() before open()",
                  named="start")


@task1
async def test_open_checks_nothing_by_itself(http_mock: MockHttp) -> None:
    """open() opens the session but schedules no check"""
    http_mock.reply(A)
    monitor = await started([A])
    await asyncio.sleep(30.0)
    await rejects(RuntimeError, monitor.open, shown="open() twice", named="started")
    await monitor.stop()
    assert http_mock.requests(A) == 0, f"open() alone made {http_mock.requests(A)} checks"


@task1
@pytest.mark.parametrize(("kwargs", "error", "named"), [
    ({"urls": []}, ValueError, ("urls",)), ({"urls": A}, TypeError, ("urls",)),
    ({"urls": ["ftp://x.example.com"]}, ValueError, ("'ftp://x.example.com'",)),
    ({"interval": 0}, ValueError, ("interval", "0")),
    ({"timeout": -1}, ValueError, ("timeout", "-1")),
    ({"timeout": "2"}, TypeError, ("timeout", "'2'")),
    ({"attempts": 0}, ValueError, ("attempts", "0")),
    ({"attempts": 1.5}, TypeError, ("attempts", "1.5")),
    ({"backoff": 0}, ValueError, ("backoff", "0")),
    ({"limit": 0}, ValueError, ("limit", "0")), ({"limit": True}, TypeError, ("limit", "True")),
    ({"rate": 0}, ValueError, ("rate", "0")), ({"rate": "fast"}, TypeError, ("rate", "'fast'"))],
    ids=lambda v: repr(v) if isinstance(v, dict) else None)
async def test_rejects_bad_arguments(kwargs: dict[str, Any], error: type[Exception],
                                     named: tuple[str, ...]) -> None:
    """rejects bad arguments, naming them"""
    arguments = {"urls": [A], **kwargs}
    urls = arguments.pop("urls")
    await rejects(error, lambda: monitoring.Monitor(urls, **arguments),
                  shown=f"Monitor({urls!r}, {arguments})", named=named)


@task2
async def test_rounds_come_every_interval(http_mock: MockHttp) -> None:
    """checks every service at once, then every `interval` seconds"""
    http_mock.reply(A)
    http_mock.reply(B)
    monitor = monitoring.Monitor([A, B], interval=10.0)
    await monitor.start()
    await asyncio.sleep(35.0)
    await monitor.stop()
    assert http_mock.times(A) == [0, 10, 20, 30] == http_mock.times(B), (
        f"with interval=10, over 35 s, the services were checked at {http_mock.times(A)} and "
        f"{http_mock.times(B)}; expected [0, 10, 20, 30] for each"
    )


@task2
async def test_a_slow_service_does_not_shift_the_schedule(http_mock: MockHttp) -> None:
    """a slow check does not delay the next round: rounds stay at start + k * interval"""
    http_mock.reply(A, latency=0.3)
    http_mock.reply(B, latency=4.5)
    monitor = monitoring.Monitor([A, B], interval=5.0, timeout=6.0)
    await monitor.start()
    await asyncio.sleep(16.0)
    await monitor.stop()
    assert http_mock.times(A) == [0, 5, 10, 15], (
        f"with interval=5 and a service taking 4.5 s, the fast one was checked at "
        f"{http_mock.times(A)}; expected [0, 5, 10, 15]: schedule round k at start + k * "
        "interval, instead of sleeping `interval` after each round (which drifts)"
    )


@task2
async def test_default_interval_is_ten_seconds(http_mock: MockHttp) -> None:
    """rounds come every 10 s by default"""
    http_mock.reply(A)
    monitor = monitoring.Monitor([A])
    await monitor.start()
    await asyncio.sleep(25.0)
    await monitor.stop()
    assert http_mock.times(A) == [0, 10, 20], f"default rounds came at {http_mock.times(A)}"


@task2
async def test_start_twice_is_refused(http_mock: MockHttp) -> None:
    """start() on a started monitor raises RuntimeError"""
    http_mock.reply(A)
    monitor = monitoring.Monitor([A])
    await monitor.start()
    await rejects(RuntimeError, monitor.start, shown="start() twice", named="started")
    await monitor.stop()


@task3
async def test_failed_checks_are_retried_with_backoff(http_mock: MockHttp) -> None:
    """a failed check is tried again after backoff, 2 * backoff, ..., `attempts` times in all"""
    http_mock.sequence(A, [503, aiohttp.ClientConnectionError("reset"), 503, 200])
    monitor = await started([A], attempts=4, backoff=0.5)
    await asyncio.sleep(1.0)
    got = await monitor.check(A)
    await monitor.stop()
    assert got is True and http_mock.times(A) == [1.0, 1.5, 2.5, 4.5], (
        f"with attempts=4 and backoff=0.5, a service failing 3 times then answering 200 (from "
        f"1.0 s) was tried at {http_mock.times(A)} and the check said {got!r}; expected tries at "
        "[1.0, 1.5, 2.5, 4.5] and True"
    )
    assert monitor.reports[A].latencies == [pytest.approx(3.5)], (
        f"the check's latency was recorded as {monitor.reports[A].latencies}; it took 3.5 s "
        "from its first try to its success"
    )


@task3
async def test_a_success_ends_the_retries(http_mock: MockHttp) -> None:
    """a check stops retrying once it succeeds (default backoff 0.5 s)"""
    http_mock.sequence(A, [503, 200, 200, 200])
    monitor = await started([A], attempts=4)
    got = await monitor.check(A)
    await monitor.stop()
    assert got is True and http_mock.times(A) == [0, 0.5], (
        f"a service failing once, then fine, with attempts=4: tried at {http_mock.times(A)}, "
        f"check said {got!r}; expected tries at [0, 0.5] (default backoff) and True"
    )
    assert monitor.reports[A].successes == 1, "the successful check was not recorded"


@task3
async def test_no_retry_by_default_and_none_after_the_last(http_mock: MockHttp) -> None:
    """attempts=1 by default; after the last attempt the check fails at once"""
    http_mock.reply(A, 503)
    monitor = await started([A])
    await monitor.check(A)
    retried = await started([A], attempts=2, backoff=1.0)
    await retried.check(A)
    await monitor.stop()
    await retried.stop()
    assert http_mock.times(A) == [0, 0, 1.0] and now() == pytest.approx(1.0), (
        f"a check with default attempts, then one with attempts=2, against a failing service: "
        f"tries at {http_mock.times(A)}, done at {secs(now())}; expected [0, 0, 1.0], done "
        "at 1.0 s (no backoff after the last attempt)"
    )


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
    assert now() == pytest.approx(expected), (
        f"a round over 9 services of 1 s with limit={limit or 'default'} took {secs(now())}; "
        f"expected {secs(expected)}"
    )


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
    assert starts == [1.0, 1.5, 2.0, 2.5], (
        f"with rate=2 (checks per second), 4 checks from 1.0 s started at {starts}; expected "
        "[1.0, 1.5, 2.0, 2.5]"
    )


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
    assert monitor.changes == [(0, A, True), (20, A, False), (50, A, True)], (
        f"checks at 0..50 s answered 200, 200, 503, 503, 503, 200; changes were "
        f"{monitor.changes}. Expected [(0, url, True), (20, url, False), (50, url, True)]: "
        "each change once, not every failing check"
    )
    report = monitor.reports[A]
    assert (report.up, report.consecutive_failures, report.uptime) == (True, 0, 0.5), (
        f"the report ended with up={report.up}, consecutive_failures="
        f"{report.consecutive_failures}, uptime={report.uptime}; expected True, 0, 0.5"
    )


@task5
async def test_stop_cancels_checks_and_closes_the_session(http_mock: MockHttp) -> None:
    """stop() cancels the checks in flight, closes the session, leaves no task"""
    http_mock.reply(A, latency=30.0)
    with sessions_opened() as opened:
        monitor = monitoring.Monitor([A], timeout=60.0)
        await monitor.start()
        await asyncio.sleep(1.0)
        await monitor.stop()
    me = asyncio.current_task()
    left = [t.get_coro().__qualname__ for t in asyncio.all_tasks() if t is not me]
    assert now() == pytest.approx(1.0) and not left, (
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
    async with monitoring.Monitor([A], interval=1.0) as monitor:
        await asyncio.sleep(2.5)
    await asyncio.sleep(5.0)
    assert http_mock.times(A) == [0, 1, 2] and monitor.reports[A].checks == 3, (
        f"inside `async with` for 2.5 s (interval 1 s) the service was checked at "
        f"{http_mock.times(A)}; expected [0, 1, 2] and nothing after leaving"
    )


@task5
async def test_stop_before_start_is_refused() -> None:
    """stop() before start() raises RuntimeError"""
    monitor = monitoring.Monitor([A])
    await rejects(RuntimeError, monitor.stop, shown="stop() before start()", named="started")


@task6
async def test_throughput_scales_with_the_limit(http_mock: MockHttp) -> None:
    """throughput: checks per second of loop time for each concurrency limit"""
    urls = services(12)
    for url in urls:
        http_mock.reply(url, latency=1.0)
    with sessions_opened() as opened:
        got = await monitoring.throughput(urls, [1, 3, 12])
    assert got == {1: pytest.approx(1.0), 3: pytest.approx(3.0), 12: pytest.approx(12.0)}, (
        f"12 services answering in 1 s: throughput at limits 1, 3 and 12 was {got}; expected "
        "{1: 1.0, 3: 3.0, 12: 12.0} checks per second"
    )
    assert opened and all(s.closed for s in opened), "throughput left a session open"


@task6
@pytest.mark.parametrize(("kwargs", "expected"), [({}, 0.5), ({"timeout": 0.25}, 4.0)],
                         ids=["default timeout", "timeout=0.25"])
async def test_throughput_counts_timeouts(kwargs: dict[str, float], expected: float,
                                          http_mock: MockHttp) -> None:
    """throughput checks with the monitor's timeout (2 s by default)"""
    http_mock.hang(A)
    got = await monitoring.throughput([A], [1], **kwargs)
    assert got == {1: pytest.approx(expected)}, (
        f"one silent service, limit 1, {kwargs or 'default timeout'}: throughput {got}; "
        f"expected {{1: {expected}}} (one check per timeout)"
    )


@task6
async def test_throughput_rejects_bad_urls() -> None:
    """throughput rejects bad URLs like the monitor"""
    result, error = await settle(monitoring.throughput([], [1]))
    assert isinstance(error, ValueError), f"throughput([], [1]) {outcome(result, error)}"
