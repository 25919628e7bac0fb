"""Behaviour spec of kata 03: retry_async with exponential backoff. Times are loop time."""

import asyncio
import contextlib
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from specs import implementation, listing, now, outcome, rejects, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, same_time
from specs.properties import CALLABLE_STYLES, durations, run_virtual
from specs.timeline import expect_caller

retry = implementation("kata03_retry", "retry")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)
task6 = pytest.mark.task(6)
task7 = pytest.mark.task(7)


class Fatal(BaseException):
    """Not an Exception: the default retry_on must let it through."""


@contextlib.contextmanager
def attempt_drawn() -> Iterator[None]:
    """The timeline of a retried operation: each attempt on the row "attempts" (its latency,
    then how it ended), and the wait before it, since the previous attempt ended, on the row
    "backoff"."""
    start, ended = now(), timeline.last_end("attempts")
    if ended is not None and start > ended + timeline.TOLERANCE:
        timeline.record_span("backoff", ended, start, timeline.WAIT)
    with timeline.drawing("attempts", returned=True):
        yield


class Flaky:
    """An async operation that raises `errors` in turn, then returns `result`.

    With ``forever=True`` it never succeeds: each call raises a new ConnectionError,
    kept in `raised`.
    """

    def __init__(self, *errors: BaseException, result: Any = "ok", latency: float = 0.0,
                 forever: bool = False) -> None:
        self.errors = list(errors)
        self.result = result
        self.latency = latency
        self.forever = forever
        self.calls: list[float] = []
        self.raised: list[BaseException] = []

    async def __call__(self) -> Any:
        self.calls.append(now())
        with attempt_drawn():
            if self.latency:
                await asyncio.sleep(self.latency)
            if self.forever:
                self.raised.append(ConnectionError(f"failure {len(self.calls)}"))
                raise self.raised[-1]
            if self.errors:
                raise self.errors.pop(0)
            return self.result

    @property
    def waits(self) -> list[float]:
        """Loop time between the starts of consecutive attempts."""
        return [round(b - a, 6) for a, b in zip(self.calls, self.calls[1:], strict=False)]


def failures(count: int) -> list[BaseException]:
    return [ConnectionError(f"failure {n + 1}") for n in range(count)]


class Attempts:
    """An operation whose attempts each take `latency` s: the first `failures` raise a new
    error of the next of `kinds`; then one raises `final` if given, else returns `result`."""

    def __init__(self, failures: int, *, latency: float = 0.0, result: Any = "ok",
                 final: BaseException | None = None,
                 kinds: tuple[type[Exception], ...] = (ConnectionError,)) -> None:
        self.failures = failures
        self.latency = latency
        self.result = result
        self.final = final
        self.kinds = kinds
        self.calls: list[float] = []
        self.raised: list[BaseException] = []

    async def __call__(self) -> Any:
        number = len(self.calls)
        self.calls.append(now())
        with attempt_drawn():
            if self.latency:
                await asyncio.sleep(self.latency)
            if number < self.failures:
                self.raised.append(self.kinds[number % len(self.kinds)](f"failure {number + 1}"))
                raise self.raised[-1]
            if self.final is not None:
                self.raised.append(self.final)
                raise self.final
            return self.result


def retry_model(attempts: int, failures: int, latency: float, base: float, factor: float,
                cap: float, told_s: float = 0.0) -> tuple[list[float], list[tuple[int, float,
                                                                                 float]], float]:
    """The model of retry_async without jitter, in loop time: when each attempt starts, each
    RetryEvent as (attempt, delay, when on_retry is told), and when the call ends. The attempt
    after `failures` failures ends the call (it succeeds, or raises what is not retried)."""
    t, calls, events = 0.0, [], []
    for n in range(attempts):
        calls.append(t)
        t = round(t + latency, 6)
        if n >= failures or n == attempts - 1:
            break
        delay = min(cap, base * factor ** n)
        events.append((n + 1, delay, t))
        t = round(t + told_s + delay, 6)
    return calls, events, t


class AwaitableObject:
    """An awaitable that is neither a coroutine nor a Future: an object with ``__await__``."""

    def __init__(self, awaitable: Any) -> None:
        self.awaitable = awaitable

    def __await__(self) -> Any:
        return self.awaitable.__await__()


# A zero-argument async callable comes in many shapes, none of them required to be `async def`,
# and the awaitable it returns need not be a coroutine.
STYLES: dict[str, Callable[[Callable[[], Any]], Callable[[], Any]]] = {
    **CALLABLE_STYLES, "lambda returning a coroutine": lambda job: lambda: job(),
    "lambda returning a Task": lambda job: lambda: asyncio.ensure_future(job()),
    "lambda returning an object with __await__": lambda job: lambda: AwaitableObject(job())}
RESULTS = [0, "", None, False, [], "ok"]
RETRY_ON: dict[str, Any] = {"default": None, "OSError": OSError, "Exception": Exception,
                            "(TimeoutError, ConnectionError)": (TimeoutError, ConnectionError)}
ON_RETRY = ["none", "a function", "an async function", "a function returning a Future",
            "a function returning an object with __await__"]


def make_on_retry(style: str, seconds: float,
                  told: list[tuple[Any, float]]) -> Callable[[Any], Any] | None:
    """An on_retry of the given style that records (event, loop time); the async ones (a
    coroutine, a Future) take `seconds` to complete."""
    def record(event: Any) -> None:
        told.append((event, now()))

    async def coroutine(event: Any) -> None:
        record(event)
        await asyncio.sleep(seconds)

    def future(event: Any) -> "asyncio.Future[None]":
        record(event)
        done = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(seconds, done.set_result, None)
        return done

    def awaitable(event: Any) -> AwaitableObject:
        record(event)
        return AwaitableObject(asyncio.sleep(seconds))

    return {"none": None, "a function": record, "an async function": coroutine,
            "a function returning a Future": future,
            "a function returning an object with __await__": awaitable}[style]


def at(times: list[float]) -> str:
    return listing(secs(t) for t in times)


def expect_attempts(starts: list[float], last: str = timeline.RETURNED, latency: float = 0.0,
                    cut_at: float | None = None) -> None:
    """The timeline the contract expects of the attempts: one at each of `starts`, taking
    `latency`; each fails but the last, which ends as `last` (cancelled at `cut_at` if given);
    between two, the backoff."""
    for n, begin in enumerate(starts):
        final = n == len(starts) - 1
        end = cut_at if final and cut_at is not None else begin + latency
        timeline.expect("attempts", begin, end)
        timeline.expect("attempts", end, kind=last if final else timeline.FAILED)
        if n:
            timeline.expect("backoff", starts[n - 1] + latency, begin, timeline.WAIT)


def after(waits: list[float], start: float = 0.0) -> list[float]:
    """When the attempts start (attempts of no latency), `waits` of backoff between them."""
    return [start + sum(waits[:n]) for n in range(len(waits) + 1)]

# --- task 1: compute the backoff delay --------------------------------------------------------

@task1
@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, [1, 2, 4, 8, 16, 30, 30]),
    ({"base_delay": 0.5, "factor": 3, "max_delay": 100}, [0.5, 1.5, 4.5, 13.5, 40.5, 100, 100]),
    ({"base_delay": 2, "factor": 1, "max_delay": 5}, [2, 2, 2, 2, 2, 2, 2]),
    ({"base_delay": 0, "factor": 2, "max_delay": 0}, [0, 0, 0, 0, 0, 0, 0]),
], ids=["defaults", "base 0.5 factor 3", "factor 1", "zero"])
def test_backoff_delays(kwargs: dict[str, float], expected: list[float]) -> None:
    """waits base_delay * factor ** retry before each retry, capped at max_delay"""
    got = [retry.backoff_delay(n, **kwargs) for n in range(7)]
    assert got == pytest.approx(expected), (
        f"backoff_delay(0..6, {kwargs or 'defaults'}) gave {got}; expected {expected}: "
        "base_delay * factor ** retry, never above max_delay"
    )


@task1
@given(number=st.integers(0, 12), base=durations(0.0, 10.0),
       factor=st.sampled_from([1, 2, 3]) | st.integers(1000, 4000).map(lambda m: m / 1000),
       cap=durations(0.0, 60.0))
@example(number=3, base=0.333, factor=1.5, cap=0.9)
@example(number=0, base=2.5, factor=1, cap=2.5)
@settings(max_examples=10)
def test_backoff_delay_for_any_numbers(number: int, base: float, factor: float,
                                       cap: float) -> None:
    """for any retry number, base_delay, factor and max_delay, the delay is base_delay * factor **
    retry, capped at max_delay

    The numbers are off any grid, not only round ones.
    """
    got = retry.backoff_delay(number, base_delay=base, factor=factor, max_delay=cap)
    raw = base * factor ** number
    assert got == pytest.approx(min(cap, raw)), (
        f"backoff_delay({number}, base_delay={base}, factor={factor}, max_delay={cap}) returned "
        f"{show(got)}; expected {min(cap, raw):g}: {base} * {factor} ** {number} = {raw:g}, "
        f"never above max_delay={cap}")


@task1
def test_no_cap_with_an_infinite_max_delay() -> None:
    """max_delay=math.inf means no cap: the delay doubles on and on"""
    got = [retry.backoff_delay(n, max_delay=math.inf) for n in range(0, 41, 8)]
    expected = [2.0 ** n for n in range(0, 41, 8)]
    assert got == pytest.approx(expected), (
        f"backoff_delay(0, 8, ..., 40, max_delay=math.inf) gave {got}; expected {expected}: "
        "max_delay=math.inf means no cap, so 1 * 2 ** retry")


class Factor(int):
    """An int factor that refuses to be raised to a giant power: `2 ** 10**100` as an int never
    finishes (it blocks the event loop), so a call with such an exponent is a blocked loop."""

    def __pow__(self, exponent: Any, *rest: Any) -> Any:
        if isinstance(exponent, int) and exponent > 10_000:
            raise GiantPower(f"{int(self)} ** {exponent}")
        return int(self).__pow__(exponent, *rest)


class GiantPower(BaseException):
    """Raised by Factor: an exact power that would take the loop forever."""


HUGE = {"1024": 1024, "10**6": 10**6, "10**400": 10**400}


# Each case's base_delay, factor, max_delay and expected delay (None: math.inf), by its id.
HUGE_ROWS: dict[str, tuple[Any, ...]] = {
    "float factor": (1.0, 2.0, 30.0, 30.0), "int factor": (0.5, Factor(2), 30.0, 30.0),
    "factor near 1": (1.0, 1.01, 60.0, 60.0), "int factor 1": (2.0, 1, 5.0, 2.0),
    "float factor 1": (2.0, 1.0, 5.0, 2.0), "base 0": (0.0, 3.0, 5.0, 0.0),
    "no cap": (1.0, 2.0, math.inf, None)}
# The cases a plain `base_delay * factor ** retry` already gets right (factor 1, or a power
# that fits in a float) are task 1's; the others are task 6's edge cases.
PLAIN = {("int factor 1", "1024"), ("int factor 1", "10**6"), ("int factor 1", "10**400"),
         ("float factor 1", "1024"), ("float factor 1", "10**6"), ("factor near 1", "1024")}


@pytest.mark.parametrize(("number", "base", "factor", "cap", "expected"), [
    pytest.param(number, *row, marks=task1 if (name, number) in PLAIN else task6,
                 id=f"{name}-{number}")
    for name, row in HUGE_ROWS.items() for number in sorted(HUGE)])
def test_backoff_delay_for_a_huge_retry(number: str, base: float, factor: float, cap: float,
                                        expected: float | None) -> None:
    """a huge retry number gives max_delay at once: no OverflowError, no giant power

    A huge retry number still gives base_delay * factor ** retry capped at max_delay, at once:
    no OverflowError, no NaN, no giant power.

    With max_delay=math.inf (no cap) the delay grows past any float: math.inf. The int factor
    is an int subclass that reports a giant exact power (one that refuses int subclasses is
    let be).
    """
    retry_number = HUGE[number]
    want = math.inf if expected is None else expected
    shown = (f"backoff_delay({number}, base_delay={base}, factor={factor!r}, "
             f"max_delay={cap})")
    try:
        got: Any = retry.backoff_delay(retry_number, base_delay=base, factor=factor,
                                       max_delay=cap)
    except GiantPower as giant:
        raise AssertionError(
            f"{shown} computed the exact int {giant}: a number of millions of digits that "
            "blocks the event loop for minutes (or forever). Only the cap matters here: take "
            "the power in floats (an OverflowError means infinity) or stop once the delay "
            "reaches max_delay") from None
    except TypeError:
        if isinstance(factor, Factor):
            return  # it refuses an int subclass as a factor: its own strictness, not a fault
        raise
    except Exception as error:
        raise AssertionError(
            f"{shown} raised {error!r}; expected {want}: {base} * {factor!r} ** {number} is "
            + ("0" if base == 0 else f"{base}" if factor == 1 else "beyond any float")
            + f", never above max_delay={cap}. A float power overflows: read that as "
            "math.inf, then cap it") from None
    assert isinstance(got, int | float) and (got == want or (
        want != math.inf and math.isclose(got, want))), (
        f"{shown} returned {show(got)}; expected {want}: "
        + ("0 * anything is 0 (0 * inf is NaN: return early for base_delay 0)" if base == 0
           else "factor 1 never grows the delay" if factor == 1
           else "with no cap the delay passes every float: math.inf" if expected is None
           else f"the delay passed max_delay={cap} long ago: max_delay"))


# --- task 2: retry a failing operation --------------------------------------------------------

@task2
async def test_first_success_returns_at_once() -> None:
    """returns the result of the first attempt that succeeds, without waiting"""
    expect_attempts([0.0])
    operation = Flaky(result={"id": 7})
    got = await retry.retry_async(operation)
    assert got == {"id": 7}, f"retry_async returned {show(got)}; the operation returned {{'id': 7}}"
    assert len(operation.calls) == 1, f"a successful operation was called {len(operation.calls)}x"
    assert same_time(now(), 0), f"nothing failed, yet retry_async waited {secs(now())}"


@task2
async def test_retries_after_failures_with_backoff() -> None:
    """retries a failing operation, waiting 1 s then 2 s, and returns its result"""
    for at, kind in ((0.0, timeline.FAILED), (1.0, timeline.FAILED), (3.0, timeline.RETURNED)):
        timeline.expect("attempts", at, kind=kind)
    timeline.expect("backoff", 0.0, 1.0, timeline.WAIT)
    timeline.expect("backoff", 1.0, 3.0, timeline.WAIT)
    operation = Flaky(*failures(2), result="third time lucky")
    got = await retry.retry_async(operation)
    assert got == "third time lucky", f"retry_async returned {show(got)} after two failures"
    assert same_time(operation.waits, [1.0, 2.0]), (
        f"The operation failed twice; retry_async waited {operation.waits} s between attempts. "
        "Expected [1.0, 2.0]: backoff_delay(0), then backoff_delay(1)"
    )


@task2
@pytest.mark.parametrize("style", sorted(STYLES))
async def test_any_callable_returning_any_awaitable(style: str) -> None:
    """each attempt awaits what one call of operation returns, any awaitable

    operation is any zero-argument callable returning any awaitable: a coroutine, a Task, an object
    with __await__.
    """
    result = object()
    operation = Flaky(*failures(1), result=result)
    expect_attempts([0.0, 1.0])
    expect_caller(0.0, 1.0)
    got, error = await settle(retry.retry_async(STYLES[style](operation)))
    assert error is None and got is result and same_time(operation.waits, [1.0]), (
        f"With an operation given as a {style} that failed once, then returned an object: "
        f"retry_async {outcome(got, error)} after {len(operation.calls)} call(s), waiting "
        f"{operation.waits} s. Expected that object after one retry, 1 s later: call "
        "operation() for each attempt and await whatever awaitable it returns")


@task2
async def test_gives_up_with_the_last_error() -> None:
    """after `attempts` failures, raises the last error, without a final sleep"""
    operation = Flaky(forever=True)
    expect_attempts([0.0, 1.0, 3.0], timeline.FAILED)
    expect_caller(0.0, 3.0, timeline.FAILED)  # no sleep after the last attempt
    result, error = await settle(retry.retry_async(operation, attempts=3))
    calls = len(operation.calls)
    assert calls == 3, f"attempts=3, but the operation ran {calls} times"
    assert error is operation.raised[-1], (
        f"The operation failed 3 times; retry_async {outcome(result, error)}. Expected the last "
        f"attempt's own error, {operation.raised[-1]!r}, re-raised unchanged"
    )
    assert same_time(now(), 3.0), (
        f"3 failed attempts took {secs(now())}: 1 s + 2 s of backoff is 3.0 s. Sleeping after "
        "the last attempt only delays the bad news"
    )


@task2
async def test_single_attempt_never_retries() -> None:
    """attempts=1 means one try and no retry"""
    operation = Flaky(forever=True)
    expect_attempts([0.0], timeline.FAILED)
    expect_caller(0.0, 0.0, timeline.FAILED)
    result, error = await settle(retry.retry_async(operation, attempts=1))
    assert len(operation.calls) == 1 and error is operation.raised[0], (
        f"attempts=1: the operation ran {len(operation.calls)} times and retry_async "
        f"{outcome(result, error)}; expected one call and its error"
        + (f", {operation.raised[0]!r}" if operation.raised else "")
    )


@task2
async def test_backoff_is_capped_and_configurable() -> None:
    """uses base_delay, factor and max_delay for the waits"""
    operation = Flaky(*failures(5))
    expect_attempts(after([1, 10, 15, 15, 15]))
    await retry.retry_async(operation, attempts=6, base_delay=1, factor=10, max_delay=15)
    assert same_time(operation.waits, [1, 10, 15, 15, 15]), (
        f"With base_delay=1, factor=10, max_delay=15 the waits were {operation.waits}; "
        "expected [1, 10, 15, 15, 15]"
    )


@task2
async def test_default_waits_double_up_to_the_cap() -> None:
    """with the defaults the waits double, 1, 2, 4, 8, 16 s, then stay at the 30 s cap"""
    operation = Flaky(*failures(7))
    expected = [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    expect_attempts(after(expected))
    await retry.retry_async(operation, attempts=8)
    assert same_time(operation.waits, expected), (
        f"The operation failed 7 times with attempts=8 and the default backoff; retry_async "
        f"waited {operation.waits} s between attempts. Expected {expected}: each wait is "
        "factor (2) times the one before (1, 2, 4, 8, not 1, 2, 3, 4), up to max_delay (30)")


@task2
async def test_no_cap_in_retry_async() -> None:
    """retry_async with max_delay=math.inf waits past 30 s: no cap"""
    operation = Flaky(*failures(6))
    expected = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    expect_attempts(after(expected))
    await retry.retry_async(operation, attempts=7, max_delay=math.inf)
    assert same_time(operation.waits, expected), (
        f"With max_delay=math.inf and 6 failures, retry_async waited {operation.waits} s; "
        f"expected {expected}: math.inf means no cap")


# --- task 3: retry only the exceptions in retry_on --------------------------------------------

@task3
@pytest.mark.parametrize(("boom", "retry_on"), [
    (ValueError("bad request"), ConnectionError), (ConnectionError("refused"), ()),
    (TimeoutError("slow"), (ConnectionError, KeyError))],
    ids=["ValueError, retry_on=ConnectionError", "ConnectionError, retry_on=()",
         "TimeoutError, retry_on=(ConnectionError, KeyError)"])
async def test_other_errors_propagate_at_once(boom: Exception, retry_on: Any) -> None:
    """an error not in retry_on propagates at once, without a retry

    retry_on=() retries nothing.
    """
    operation = Flaky(boom)
    expect_attempts([0.0], timeline.FAILED)
    expect_caller(0.0, 0.0, timeline.FAILED)
    result, error = await settle(retry.retry_async(operation, retry_on=retry_on))
    assert error is boom and len(operation.calls) == 1 and same_time(now(), 0), (
        f"retry_on={retry_on!r} and the operation raised {boom!r}: it ran "
        f"{len(operation.calls)} times and retry_async {outcome(result, error)} after "
        f"{secs(now())}. Expected one call and that very error, at once: only what matches "
        "retry_on is retried, and an empty tuple matches nothing"
    )


@task3
async def test_retry_on_a_tuple_and_subclasses() -> None:
    """retry_on takes a tuple of exception classes, and matches their subclasses"""
    operation = Flaky(TimeoutError(), ConnectionRefusedError())
    expect_attempts([0.0, 1.0, 3.0])
    got = await retry.retry_async(operation, retry_on=(TimeoutError, OSError))
    assert got == "ok" and len(operation.calls) == 3, (
        f"retry_on=(TimeoutError, OSError) with a TimeoutError then a ConnectionRefusedError "
        f"(an OSError): {len(operation.calls)} calls, result {show(got)}; expected 3 and 'ok'"
    )


@task3
async def test_default_retries_exceptions_only() -> None:
    """by default retries any Exception, but not a BaseException such as SystemExit"""
    flaky = Flaky(KeyError("x"), ConnectionError())
    expect_attempts([0.0, 1.0, 3.0])  # then the fatal one's only attempt, at 3.0 s
    expect_attempts([3.0], timeline.FAILED)
    expect_caller(3.0, 3.0, timeline.FAILED)
    assert await retry.retry_async(flaky) == "ok", "the default retry_on should retry Exceptions"
    fatal = Flaky(Fatal())
    result, error = await settle(retry.retry_async(fatal))
    assert isinstance(error, Fatal) and len(fatal.calls) == 1, (
        f"the operation raised a BaseException that is not an Exception: it ran "
        f"{len(fatal.calls)} times and retry_async {outcome(result, error)}; the default "
        "retry_on=(Exception,) should let it through at once"
    )


# --- task 4: never retry or swallow a cancellation --------------------------------------------

@task4
async def test_cancel_during_backoff_ends_at_once() -> None:
    """a cancellation during a backoff sleep ends retry_async at once"""
    operation = Flaky(*failures(3))
    expect_attempts([0.0], timeline.FAILED)  # then the backoff, cut short: no attempt after it
    expect_caller(1.0, 1.0, timeline.CANCELLED)
    call = asyncio.create_task(retry.retry_async(operation, base_delay=10))
    await asyncio.sleep(1.0)
    call.cancel()
    start = now()
    result, error = await settle(call)
    assert isinstance(error, asyncio.CancelledError), (
        f"retry_async was cancelled during its 10 s backoff sleep and {outcome(result, error)}; "
        "the cancellation should propagate"
    )
    assert same_time(now(), start) and len(operation.calls) == 1, (
        f"after the cancel at 1.0 s, retry_async went on for {secs(now() - start)} and "
        f"{len(operation.calls) - 1} more attempt(s): a cancelled call stops at once"
    )


@task4
@pytest.mark.parametrize("retry_on", [Exception, BaseException], ids=["Exception", "BaseException"])
async def test_cancellation_is_never_retried(retry_on: type[BaseException]) -> None:
    """an operation that is cancelled is not retried, even with retry_on=BaseException"""
    operation = Flaky(asyncio.CancelledError())
    expect_attempts([0.0], timeline.CANCELLED)
    expect_caller(0.0, 0.0, timeline.CANCELLED)
    result, error = await settle(retry.retry_async(operation, retry_on=retry_on))
    assert isinstance(error, asyncio.CancelledError) and len(operation.calls) == 1, (
        f"with retry_on={retry_on.__name__}, the operation was cancelled: it ran "
        f"{len(operation.calls)} times and retry_async {outcome(result, error)}. Cancellation is "
        "a request to stop, not a failure: re-raise asyncio.CancelledError before anything else"
    )


@task4
async def test_cancel_during_an_attempt_propagates() -> None:
    """a cancellation during an attempt propagates and is not retried"""
    operation = Flaky(latency=5.0)
    expect_attempts([0.0], timeline.CANCELLED, latency=5.0, cut_at=1.0)
    expect_caller(1.0, 1.0, timeline.CANCELLED)
    call = asyncio.create_task(retry.retry_async(operation, retry_on=BaseException))
    await asyncio.sleep(1.0)
    call.cancel()
    result, error = await settle(call)
    assert isinstance(error, asyncio.CancelledError) and len(operation.calls) == 1, (
        f"retry_async was cancelled during an attempt: the operation ran {len(operation.calls)} "
        f"times and retry_async {outcome(result, error)}; expected one call, then cancellation"
    )


# --- task 5: jitter and on_retry --------------------------------------------------------------

@task5
async def test_jitter_spreads_delays_within_bounds() -> None:
    """jitter spreads each delay between delay*(1-jitter) and delay*(1+jitter)"""
    operation = Flaky(*failures(20))
    await retry.retry_async(operation, attempts=21, factor=1, jitter=0.5, rng=random.Random(1))
    outside = [w for w in operation.waits if not 0.5 <= w <= 1.5]
    assert not outside, f"with a 1 s delay and jitter=0.5, waits {outside} fell outside 0.5..1.5 s"
    below = sum(w < 1 for w in operation.waits)
    above = sum(w > 1 for w in operation.waits)
    assert below and above, (
        f"Of 20 jittered waits around 1 s, {below} were shorter and {above} longer; "
        "jitter should spread them on both sides"
    )


@task5
@pytest.mark.parametrize(("base", "factor"), [(10, 1), (20, 3)],
                         ids=["delays at the cap", "delays past the cap"])
async def test_jitter_never_exceeds_max_delay(base: float, factor: float) -> None:
    """jitter never pushes a delay above max_delay, and still spreads delays that reach it"""
    operation = Flaky(*failures(10))
    await retry.retry_async(operation, attempts=11, base_delay=base, factor=factor, max_delay=10,
                            jitter=0.5, rng=random.Random(2))
    given_as = f"With base_delay={base}, factor={factor}, max_delay=10 and jitter=0.5"
    outside = [w for w in operation.waits if not 5 <= w <= 10]
    assert not outside, f"{given_as}, waits {outside} fell outside 5..10 s"
    assert any(w < 10 for w in operation.waits), (
        f"{given_as}, all 10 waits were {secs(10)}: each delay is backoff_delay(n), max_delay "
        "here, and jitter spreads it within 10 * (1 ± 0.5), never above 10, so about half of "
        "them should be shorter. Jitter the capped delay, then cap again")


@task5
async def test_jitter_without_rng_is_random() -> None:
    """without rng, jitter still spreads the delays, at random: two runs differ"""
    runs = []
    state = random.getstate()
    try:
        for seed in (1, 2):
            random.seed(seed)
            operation = Flaky(*failures(6))
            await retry.retry_async(operation, attempts=7, factor=1, jitter=0.5)
            runs.append(operation.waits)
    finally:
        random.setstate(state)
    outside = [w for run in runs for w in run
               if not 0.5 - CLOCK_RESOLUTION <= w <= 1.5 + CLOCK_RESOLUTION]
    assert not outside, f"with a 1 s delay and jitter=0.5, waits {outside} fell outside 0.5..1.5 s"
    assert all(not same_time(run, [1.0] * 6) for run in runs) and not same_time(*runs[:2]), (
        f"Without rng, two runs with jitter=0.5 around 1 s waited {runs[0]} and {runs[1]}. "
        "Expected waits spread at random, different from run to run: draw from the random "
        "module (or a fresh random.Random()) when no rng is given; a fixed seed makes every "
        "client retry in lockstep")


@task5
async def test_jitter_is_repeatable_with_a_seeded_rng() -> None:
    """the same seeded rng gives the same jittered delays"""
    runs = []
    for _ in range(2):
        operation = Flaky(*failures(4))
        await retry.retry_async(operation, attempts=5, jitter=0.3, rng=random.Random(42))
        runs.append(operation.waits)
    assert same_time(*runs), f"two runs with rng=random.Random(42) waited {runs[0]} and {runs[1]}"
    assert not same_time(runs[0], [1.0, 2.0, 4.0, 8.0]), (
        "jitter=0.3 left the delays exactly as they were")


@task5
@given(fails=st.integers(1, 5), jitter=st.integers(0, 1000).map(lambda m: m / 1000),
       seed=st.integers(0, 2**16), base=durations(0.001, 3.0),
       factor=st.sampled_from([1, 1.5, 2]), cap=durations(0.5, 10.0))
@example(fails=4, jitter=0.3, seed=42, base=1.0, factor=2, cap=30.0)
@example(fails=3, jitter=1.0, seed=7, base=3.0, factor=2, cap=4.0)
@example(fails=3, jitter=0.5, seed=5, base=0.2, factor=1.5, cap=30.0)
@settings(max_examples=5)
def test_jitter_for_any_numbers(fails: int, jitter: float, seed: int, base: float,
                                factor: float, cap: float) -> None:
    """for any jitter and backoff, each wait is within delay * (1 ± jitter) and never above
    max_delay

    on_retry is told the wait, and the same seeded rng gives the same waits.
    """
    def run() -> tuple[list[float], list[float]]:
        operation = Attempts(fails)
        told: list[tuple[Any, float]] = []

        async def scenario() -> None:
            await retry.retry_async(operation, attempts=fails + 1, base_delay=base, factor=factor,
                                    max_delay=cap, jitter=jitter, rng=random.Random(seed),
                                    on_retry=make_on_retry("a function", 0, told))

        run_virtual(scenario)
        waits = [round(b - a, 6) for a, b in zip(operation.calls, operation.calls[1:],
                                                  strict=False)]
        return waits, [event.delay for event, _ in told]

    (waits, delays), (again, _) = run(), run()
    given_as = (f"With base_delay={base}, factor={factor}, max_delay={cap}, jitter={jitter} and "
                f"rng=random.Random({seed}), {fails} failure(s)")
    plain = [min(cap, base * factor ** n) for n in range(fails)]
    wrong = [f"wait {n + 1}: {secs(w)} for a delay of {secs(d)}"
             for n, (w, d) in enumerate(zip(waits, plain, strict=False))
             if not (d * (1 - jitter) - CLOCK_RESOLUTION <= w
                     <= min(cap, d * (1 + jitter)) + CLOCK_RESOLUTION)]
    assert len(waits) == fails and not wrong, (
        f"{given_as}: the waits were {at(waits)}; {listing(wrong)} fell outside delay * "
        f"(1 ± {jitter}), capped at max_delay={cap}")
    assert same_time(delays, waits), (
        f"{given_as}: on_retry was told delays of {at(delays)}, but retry_async waited "
        f"{at(waits)}: tell on_retry the delay it is about to wait, jitter included")
    assert same_time(waits, again), (
        f"{given_as}: two runs, each with a fresh random.Random({seed}), waited {at(waits)} and "
        f"{at(again)}: draw the jitter from `rng` when it is given, so a run can be repeated")


@task5
async def test_on_retry_is_told_each_retry() -> None:
    """on_retry gets (attempt, error, delay) before each backoff sleep; none after the last"""
    errors = failures(3)
    events: list[tuple[Any, ...]] = []
    await settle(retry.retry_async(
        Flaky(*errors), on_retry=lambda e: events.append((e.attempt, e.error, e.delay, now()))))
    expected = [(1, errors[0], 1.0, 0.0), (2, errors[1], 2.0, 1.0)]
    assert events == expected, (
        f"on_retry was called with (attempt, error, delay, at loop time) {events}; expected "
        f"{expected}: once per retry, before its sleep, with the delay about to be waited"
    )


@task5
async def test_async_on_retry_is_awaited() -> None:
    """an async on_retry is awaited before the sleep"""
    told: list[int] = []

    async def on_retry(event: Any) -> None:
        await asyncio.sleep(0.5)
        told.append(event.attempt)

    operation = Flaky(*failures(1))
    expect_attempts([0.0, 1.5])  # the backoff: 0.5 s in on_retry, then the 1 s sleep
    await retry.retry_async(operation, on_retry=on_retry)
    assert told == [1], f"an async on_retry should be awaited once; it completed for {told}"
    assert same_time(operation.waits, [1.5]), (
        f"the retry came {operation.waits[0]} s after the failure: 0.5 s in on_retry, then 1 s"
    )


class Hook(Exception):
    """What on_retry raised."""


@task5
@pytest.mark.parametrize("style", ["a function", "an async function"])
async def test_an_error_in_on_retry_ends_the_call(style: str) -> None:
    """an exception from on_retry ends the call at once, unchanged

    An exception from on_retry (raised, or raised by the awaitable it returns) ends the call at
    once, unchanged: no sleep, no further attempt.

    Even when the exception is one that retry_on matches.
    """
    boom = Hook("on_retry failed")
    operation = Flaky(forever=True)

    def hook(event: Any) -> None:
        raise boom

    async def async_hook(event: Any) -> None:
        await asyncio.sleep(0.5)
        raise boom

    ends = 0.0 if style == "a function" else 0.5
    expect_attempts([0.0], timeline.FAILED)
    expect_caller(0.0, ends, timeline.FAILED)
    got, error = await settle(retry.retry_async(
        operation, attempts=4, on_retry=hook if style == "a function" else async_hook))
    assert error is boom, (
        f"on_retry ({style}) raised {boom!r} when told of the first failure; retry_async "
        f"{outcome(got, error)} after {len(operation.calls)} attempt(s). Expected that very "
        f"{boom!r}, at once: an error in on_retry is not the operation's failure, neither to "
        "retry nor to swallow; let it propagate")
    assert len(operation.calls) == 1 and same_time(now(), ends), (
        f"on_retry ({style}) raised {boom!r} at {secs(ends)}; retry_async made "
        f"{len(operation.calls)} attempt(s) and ended at {secs(now())}. Expected 1 attempt and "
        f"the end at {secs(ends)}: no backoff sleep and no further attempt after it")


# --- task 6: edge cases (and the huge retries above) ------------------------------------------

class RaisesAtOnce:
    """A plain function (not async) that raises ConnectionError the first `times` calls, before
    returning any awaitable; then it returns a coroutine of "ok"."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.calls: list[float] = []
        self.raised: list[BaseException] = []

    def __call__(self) -> Any:
        self.calls.append(now())
        if len(self.calls) <= self.times:
            self.raised.append(ConnectionError(f"refused at once, call {len(self.calls)}"))
            raise self.raised[-1]
        return asyncio.sleep(0, "ok")


@task6
async def test_a_call_that_raises_at_once_is_a_failed_attempt() -> None:
    """an operation() that raises before it returns an awaitable fails that attempt: it is retried
    like any other failure"""
    operation = RaisesAtOnce(2)
    told: list[tuple[Any, float]] = []
    got, error = await settle(retry.retry_async(
        operation, on_retry=make_on_retry("a function", 0, told)))
    waits = [round(b - a, 6) for a, b in zip(operation.calls, operation.calls[1:], strict=False)]
    assert error is None and got == "ok" and same_time(waits, [1.0, 2.0]), (
        f"operation() raised ConnectionError at once (before returning an awaitable) on its "
        f"first 2 calls, then returned a coroutine of 'ok': retry_async {outcome(got, error)} "
        f"after {len(operation.calls)} call(s), waiting {waits} s. Expected 'ok' after waits of "
        "[1.0, 2.0]: the call operation() is part of the attempt, inside the try")
    seen = [(getattr(e, "attempt", e), getattr(e, "error", e)) for e, _ in told]
    assert seen == list(zip([1, 2], operation.raised, strict=True)), (
        f"on_retry was told (attempt, error) {seen}; expected each failed call's own error, "
        "in a RetryEvent")


@task6
@given(attempts=st.integers(1, 4), fails=st.integers(0, 5), latency=durations(0.0, 1.0),
       base=durations(0.0, 3.0), factor=st.sampled_from([1, 1.5, 2, 3]), cap=durations(0.0, 10.0),
       retry_on=st.sampled_from(sorted(RETRY_ON)), result=st.sampled_from(RESULTS),
       style=st.sampled_from(sorted(STYLES)), on_retry=st.sampled_from(ON_RETRY),
       told_s=durations(0.001, 0.5))
@example(attempts=3, fails=2, latency=0.25, base=0.333, factor=2, cap=10.0, retry_on="default",
         result=0, style="partial", on_retry="an async function", told_s=0.125)
@example(attempts=4, fails=9, latency=0.1, base=0.7, factor=3, cap=2.0, retry_on="OSError",
         result=None, style="callable object", on_retry="a function returning a Future",
         told_s=0.25)
@example(attempts=3, fails=1, latency=0.125, base=0.4, factor=2, cap=10.0, retry_on="OSError",
         result="", style="lambda returning a Task",
         on_retry="a function returning an object with __await__", told_s=0.3)
@settings(max_examples=8)
def test_any_schedule_of_failures(attempts: int, fails: int, latency: float, base: float,
                                  factor: float, cap: float, retry_on: str, result: Any,
                                  style: str, on_retry: str, told_s: float) -> None:
    """for any failures: retries on schedule, tells on_retry, then returns the result or re-raises
    the last error at once

    It holds for any attempts, failures, latency and backoff (off any grid), any callable, any
    result (0, None and "" too) and any on_retry.
    """
    told_s = told_s if on_retry not in ("none", "a function") else 0
    operation = Attempts(fails, latency=latency, result=result,
                         kinds=(ConnectionError, TimeoutError))
    told: list[tuple[Any, float]] = []
    kwargs: dict[str, Any] = {"attempts": attempts, "base_delay": base, "factor": factor,
                              "max_delay": cap, "on_retry": make_on_retry(on_retry, told_s, told)}
    if RETRY_ON[retry_on] is not None:
        kwargs["retry_on"] = RETRY_ON[retry_on]

    calls, events, end = retry_model(attempts, fails, latency, base, factor, cap, told_s)

    async def scenario() -> tuple[Any, BaseException | None, float]:
        last = timeline.RETURNED if fails < attempts else timeline.FAILED
        expect_attempts(calls, last, latency)
        expect_caller(0.0, end, last)
        got, error = await settle(retry.retry_async(STYLES[style](operation), **kwargs))
        return got, error, now()

    got, error, ended = run_virtual(scenario)
    given_as = (f"With attempts={attempts}, base_delay={base}, factor={factor}, max_delay={cap}, "
                f"retry_on={retry_on}, on_retry {on_retry}"
                + (f" taking {secs(told_s)}" if told_s else "")
                + f", and an operation ({style}) whose attempts take {secs(latency)} each and "
                f"fail {fails} time(s) with ConnectionError or TimeoutError, then return "
                f"{result!r}")
    assert same_time(operation.calls, calls), (
        f"{given_as}: the attempts started at {at(operation.calls)}; expected at {at(calls)}: "
        "a failed attempt, then on_retry (awaited when it returns an awaitable), then "
        "backoff_delay(n) of sleep, and `attempts` attempts in all")
    if fails < attempts:
        assert error is None and got is result, (
            f"{given_as}: retry_async {outcome(got, error)}; expected the operation's own "
            f"result, {result!r}: whatever an attempt returns without raising is its success")
    else:
        assert error is operation.raised[-1], (
            f"{given_as}: retry_async {outcome(got, error)}; expected the last attempt's own "
            f"error, {operation.raised[-1]!r}, re-raised unchanged")
    assert same_time(ended, end), (
        f"{given_as}: retry_async ended at {secs(ended)}; expected at {secs(end)}, the moment "
        "the last attempt ended (no sleep after the last attempt)")
    if on_retry != "none":
        seen = [(e.attempt, e.delay, when) for e, when in told]
        assert same_time(seen, events), (
            f"{given_as}: on_retry was told (attempt, delay, at) {seen}; expected {events}: "
            "once before each backoff sleep, the failed attempt numbered from 1, the delay about "
            "to be waited")
        wrong = [e.attempt for e, _ in told if e.error is not operation.raised[e.attempt - 1]]
        assert not wrong, (
            f"{given_as}: on_retry was told the wrong error for attempt(s) {wrong}; expected "
            "each failed attempt's own exception")


FATAL: dict[str, tuple[Callable[[], BaseException], Any]] = {
    "ValueError, with retry_on=OSError": (lambda: ValueError("bad request"), OSError),
    "KeyError, with retry_on=(TimeoutError, ConnectionError)":
        (lambda: KeyError("id"), (TimeoutError, ConnectionError)),
    "a BaseException that is no Exception, with the default retry_on": (lambda: Fatal(), None),
}


@task6
@given(attempts=st.integers(1, 5), fails=st.integers(0, 4), latency=durations(0.0, 1.0),
       base=durations(0.001, 2.0), fatal=st.sampled_from(sorted(FATAL)))
@example(attempts=4, fails=2, latency=0.125, base=0.333, fatal="ValueError, with retry_on=OSError")
@settings(max_examples=5)
def test_an_error_not_in_retry_on_propagates_at_any_attempt(attempts: int, fails: int,
                                                            latency: float, base: float,
                                                            fatal: str) -> None:
    """at whichever attempt it comes, an error that retry_on does not match propagates at once:
    no retry, no sleep, no on_retry"""
    fails = min(fails, attempts - 1)
    make, retry_on = FATAL[fatal]
    error = make()
    operation = Attempts(fails, latency=latency, final=error, kinds=(TimeoutError, ConnectionError))
    told: list[tuple[Any, float]] = []
    kwargs: dict[str, Any] = {"attempts": attempts, "base_delay": base,
                              "on_retry": make_on_retry("a function", 0, told)}
    if retry_on is not None:
        kwargs["retry_on"] = retry_on

    calls, events, end = retry_model(attempts, fails, latency, base, 2.0, 30.0)

    async def scenario() -> tuple[Any, BaseException | None, float]:
        expect_attempts(calls, timeline.FAILED, latency)
        expect_caller(0.0, end, timeline.FAILED)
        got, raised = await settle(retry.retry_async(operation, **kwargs))
        return got, raised, now()

    got, raised, ended = run_virtual(scenario)
    given_as = (f"With attempts={attempts}, base_delay={base} and attempts of {secs(latency)} "
                f"that failed {fails} time(s) with TimeoutError or ConnectionError, then raised "
                f"{fatal}")
    assert raised is error, (
        f"{given_as}: retry_async {outcome(got, raised)}; expected that very {error!r}, at once")
    assert same_time(operation.calls, calls) and same_time(ended, end), (
        f"{given_as}: the attempts started at {at(operation.calls)} and retry_async ended at "
        f"{secs(ended)}; expected attempts at {at(calls)} and the end at {secs(end)}, the moment "
        "the error that is not retried was raised")
    assert len(told) == len(events), (
        f"{given_as}: on_retry was told {len(told)} time(s); expected {len(events)}, once per "
        "retry: an error that is not retried is no retry")


@task6
@given(attempts=st.integers(1, 5), latency=durations(0.001, 1.0), base=durations(0.001, 2.0),
       point=st.integers(1, 999), retry_on=st.sampled_from(["Exception", "BaseException"]),
       told_s=st.just(0.0) | durations(0.001, 0.5))
@example(attempts=3, latency=0.25, base=0.333, point=300, retry_on="BaseException", told_s=0.0)
@example(attempts=3, latency=0.25, base=0.333, point=100, retry_on="BaseException", told_s=0.0)
@example(attempts=3, latency=0.25, base=0.333, point=182, retry_on="BaseException", told_s=0.5)
@settings(max_examples=6)
def test_a_cancellation_at_any_moment_ends_the_call(attempts: int, latency: float, base: float,
                                                   point: int, retry_on: str,
                                                   told_s: float) -> None:
    """cancelled at any moment, retry_async ends then with CancelledError, and no attempt starts
    after it

    The moment may be during an attempt, an async on_retry or a backoff sleep.
    """
    calls, events, end = retry_model(attempts, attempts, latency, base, 2.0, 30.0, told_s)
    moment = round(end * point / 1000, 3)
    telling = [(when, round(when + told_s, 6)) for _, _, when in events] if told_s else []
    edges = [*calls, *(round(c + latency, 6) for c in calls), *(t for w in telling for t in w)]
    assume(0 < moment < end and all(abs(moment - edge) >= 0.001 for edge in edges))
    operation = Attempts(attempts, latency=latency)
    on_retry = make_on_retry("an async function" if told_s else "none", told_s, [])
    before = [c for c in calls if c < moment]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        cut = moment if moment < before[-1] + latency else None  # during the last attempt
        expect_attempts(before, timeline.FAILED if cut is None else timeline.CANCELLED,
                        latency, cut)
        expect_caller(moment, moment, timeline.CANCELLED)
        call = asyncio.create_task(retry.retry_async(
            operation, attempts=attempts, base_delay=base, on_retry=on_retry,
            retry_on=BaseException if retry_on == "BaseException" else Exception))
        await asyncio.sleep(moment)
        call.cancel()
        got, error = await settle(call)
        return got, error, now()

    got, error, ended = run_virtual(scenario)
    during = ("an attempt" if any(c < moment < c + latency for c in calls) else
              "the await of on_retry" if any(a < moment < b for a, b in telling) else
              "a backoff sleep")
    given_as = (f"With attempts={attempts}, base_delay={base}, retry_on={retry_on}"
                + (f", an async on_retry taking {secs(told_s)}" if told_s else "")
                + f" and attempts that take {secs(latency)} and always fail, the call was "
                f"cancelled at "
                f"{secs(moment)}, during {during}")
    assert isinstance(error, asyncio.CancelledError), (
        f"{given_as}: retry_async {outcome(got, error)}; a cancellation is a request to stop, "
        "never a failure to retry or to report: let asyncio.CancelledError propagate")
    assert same_time(ended, moment), (
        f"{given_as}: retry_async ended at {secs(ended)}; expected at once, at {secs(moment)}")
    assert same_time(operation.calls, before), (
        f"{given_as}: the attempts started at {at(operation.calls)}; expected {at(before)} and "
        "none after the cancellation")


@task6
@pytest.mark.parametrize("kwargs", [{"factor": 1, "jitter": 1, "max_delay": 0, "base_delay": 0},
                                    {"retry_on": ()}, {"max_delay": math.inf, "jitter": 0.5}],
                         ids=["edges", "retry nothing", "no cap"])
async def test_accepts_edge_values(kwargs: dict[str, Any]) -> None:
    """accepts the edges of every range: jitter 1, factor 1, zero delays, an empty retry_on"""
    operation = Flaky()
    got = await retry.retry_async(operation, **kwargs)
    assert got == "ok", f"retry_async(operation, {kwargs}) should work; it returned {show(got)}"


# --- task 7: reject bad input before the first attempt ----------------------------------------

@task7
@pytest.mark.parametrize(("args", "error", "named"), [
    ((-1,), ValueError, ("retry", "-1")), ((1.5,), TypeError, ("retry", "1.5")),
    ((True,), TypeError, ("retry", "True")), ((2.0,), TypeError, ("retry", "2.0")),
    ((0, -0.5), ValueError, ("base_delay", "-0.5")),
    ((0, "1"), TypeError, ("base_delay", "'1'")), ((0, 1, 0.5), ValueError, ("factor", "0.5")),
    ((0, 1, 2, -3), ValueError, ("max_delay", "-3")),
    ((0, True), TypeError, ("base_delay", "True")), ((0, 1, "2"), TypeError, ("factor", "'2'")),
    ((0, 1, 2, None), TypeError, ("max_delay", "None")),
    ((math.inf,), TypeError, ("retry", "inf")), (("3",), TypeError, ("retry", "'3'")),
    ((0, math.nan), ValueError, ("base_delay", "nan")),
    ((0, math.inf), ValueError, ("base_delay", "inf")),
    ((0, 1, math.nan), ValueError, ("factor", "nan")),
    ((0, 1, math.inf), ValueError, ("factor", "inf")),
    ((0, 1, 2, math.nan), ValueError, ("max_delay", "nan")),
    ((0, 1, 2, -math.inf), ValueError, ("max_delay", "-inf")),
], ids=["negative retry", "float retry", "bool retry", "whole float retry", "negative base",
        "str base", "factor < 1", "negative max", "bool base", "str factor", "None max",
        "inf retry", "str retry", "NaN base", "inf base", "NaN factor", "inf factor", "NaN max",
        "-inf max"])
async def test_backoff_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                             named: tuple[str, str]) -> None:
    """rejects a bad retry number, delay or factor with a message naming it

    NaN is no number (it compares False with everything, so `x < 0` lets it through);
    base_delay and factor must be finite.
    """
    await rejects(error, lambda: retry.backoff_delay(*args),
                  shown=f"backoff_delay{args if len(args) > 1 else f'({args[0]!r})'}", named=named)


@task7
@pytest.mark.parametrize(("kwargs", "error", "value"), [
    ({"attempts": 0}, ValueError, "0"), ({"attempts": 2.5}, TypeError, "2.5"),
    ({"attempts": True}, TypeError, "True"), ({"base_delay": -1}, ValueError, "-1"),
    ({"factor": 0.5}, ValueError, "0.5"), ({"max_delay": "10"}, TypeError, "'10'"),
    ({"jitter": 1.5}, ValueError, "1.5"), ({"jitter": -0.1}, ValueError, "-0.1"),
    ({"jitter": "x"}, TypeError, "'x'"),
    ({"attempts": 3.0}, TypeError, "3.0"), ({"retry_on": "ValueError"}, TypeError, "'ValueError'"),
    ({"retry_on": (ValueError, 3)}, TypeError, "3"), ({"on_retry": 42}, TypeError, "42"),
    ({"attempts": "3"}, TypeError, "'3'"), ({"attempts": math.inf}, TypeError, "inf"),
    ({"jitter": True}, TypeError, "True"), ({"jitter": math.nan}, ValueError, "nan"),
    ({"jitter": math.inf}, ValueError, "inf"), ({"base_delay": math.nan}, ValueError, "nan"),
    ({"base_delay": math.inf}, ValueError, "inf"), ({"factor": math.nan}, ValueError, "nan"),
    ({"factor": math.inf}, ValueError, "inf"), ({"max_delay": math.nan}, ValueError, "nan"),
    ({"max_delay": True}, TypeError, "True"),
], ids=["attempts=0", "attempts=2.5", "attempts=True", "base_delay=-1", "factor=0.5",
        "max_delay='10'", "jitter=1.5", "jitter=-0.1", "jitter='x'", "attempts=3.0",
        "retry_on='ValueError'", "retry_on=(ValueError, 3)", "on_retry=42", "attempts='3'",
        "attempts=inf", "jitter=True", "jitter=nan", "jitter=inf", "base_delay=nan",
        "base_delay=inf", "factor=nan", "factor=inf", "max_delay=nan", "max_delay=True"])
async def test_rejects_bad_arguments(kwargs: dict[str, Any], error: type[Exception],
                                     value: str) -> None:
    """rejects a bad argument before the first attempt, with an error naming it and its value

    NaN is refused everywhere, math.inf everywhere but max_delay (no cap).
    """
    operation = Flaky()
    [(argument, given)] = kwargs.items()
    await rejects(error, lambda: retry.retry_async(operation, **kwargs),
                  shown=f"retry_async(operation, {argument}={given!r})", named=(argument, value))
    assert not operation.calls, "the operation ran before the arguments were checked"


@task7
async def test_rejects_an_operation_that_is_not_callable() -> None:
    """rejects an operation that is not callable (a coroutine object is a call, not a function)"""
    await rejects(TypeError, lambda: retry.retry_async(42), shown="retry_async(42)", named="42")
    operation = Flaky()
    called = operation()
    try:
        await rejects(TypeError, lambda: retry.retry_async(called),
                      shown="retry_async(operation()), a coroutine object", named=())
    finally:
        called.close()


@task7
async def test_rejects_an_on_retry_that_is_a_coroutine_object() -> None:
    """rejects an on_retry that is a coroutine object, before the first attempt"""
    async def hook(event: Any) -> None:
        return None

    called = hook(None)
    operation = Flaky(*failures(1))
    try:
        await rejects(TypeError, lambda: retry.retry_async(operation, on_retry=called),
                      shown="retry_async(operation, on_retry=hook(None)), a coroutine object",
                      named="on_retry")
    finally:
        called.close()
    assert not operation.calls, (
        f"on_retry was a coroutine object, not a callable, and the operation ran "
        f"{len(operation.calls)} time(s) before that was noticed; check every argument before "
        "the first attempt")
