"""Behaviour spec of kata 03: retry_async with exponential backoff. Times are loop time."""

import asyncio
import random
from typing import Any

import pytest

from specs import implementation, now, outcome, rejects, secs, settle, show

retry = implementation("kata03_retry", "retry")

task1 = pytest.mark.task(1, "compute the backoff delays (backoff_delay)")
task2 = pytest.mark.task(2, "retry until success, then give up (retry_async)")
task3 = pytest.mark.task(3, "retry only what was asked")
task4 = pytest.mark.task(4, "never retry or swallow cancellation")
task5 = pytest.mark.task(5, "jitter and the on_retry callback")
task6 = pytest.mark.task(6, "check every argument first")


class Fatal(BaseException):
    """Not an Exception: the default retry_on must let it through."""


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
@pytest.mark.parametrize(("args", "error", "named"), [
    ((-1,), ValueError, ("retry", "-1")), ((1.5,), TypeError, ("retry", "1.5")),
    ((True,), TypeError, ("retry", "True")), ((0, -0.5), ValueError, ("base_delay", "-0.5")),
    ((0, "1"), TypeError, ("base_delay", "'1'")), ((0, 1, 0.5), ValueError, ("factor", "0.5")),
    ((0, 1, 2, -3), ValueError, ("max_delay", "-3")),
], ids=["negative retry", "float retry", "bool retry", "negative base", "str base", "factor < 1",
        "negative max"])
async def test_backoff_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                             named: tuple[str, str]) -> None:
    """rejects a bad retry number, delay or factor with a message naming it"""
    await rejects(error, lambda: retry.backoff_delay(*args),
                  shown=f"backoff_delay{args if len(args) > 1 else f'({args[0]!r})'}", named=named)


@task2
async def test_first_success_returns_at_once() -> None:
    """returns the result of the first attempt that succeeds, without waiting"""
    operation = Flaky(result={"id": 7})
    got = await retry.retry_async(operation)
    assert got == {"id": 7}, f"retry_async returned {show(got)}; the operation returned {{'id': 7}}"
    assert len(operation.calls) == 1, f"a successful operation was called {len(operation.calls)}x"
    assert now() == 0, f"nothing failed, yet retry_async waited {secs(now())}"


@task2
async def test_retries_after_failures_with_backoff() -> None:
    """retries a failing operation, waiting 1 s then 2 s, and returns its result"""
    operation = Flaky(*failures(2), result="third time lucky")
    got = await retry.retry_async(operation)
    assert got == "third time lucky", f"retry_async returned {show(got)} after two failures"
    assert operation.waits == pytest.approx([1.0, 2.0]), (
        f"The operation failed twice; retry_async waited {operation.waits} s between attempts. "
        "Expected [1.0, 2.0]: backoff_delay(0), then backoff_delay(1)"
    )


@task2
async def test_gives_up_with_the_last_error() -> None:
    """after `attempts` failures, raises the last error, without a final sleep"""
    operation = Flaky(forever=True)
    result, error = await settle(retry.retry_async(operation, attempts=3))
    calls = len(operation.calls)
    assert calls == 3, f"attempts=3, but the operation ran {calls} times"
    assert error is operation.raised[-1], (
        f"The operation failed 3 times; retry_async {outcome(result, error)}. Expected the last "
        f"attempt's own error, {operation.raised[-1]!r}, re-raised unchanged"
    )
    assert now() == pytest.approx(3.0), (
        f"3 failed attempts took {secs(now())}: 1 s + 2 s of backoff is 3.0 s. Sleeping after "
        "the last attempt only delays the bad news"
    )


@task2
async def test_single_attempt_never_retries() -> None:
    """attempts=1 means one try and no retry"""
    operation = Flaky(forever=True)
    result, error = await settle(retry.retry_async(operation, attempts=1))
    assert len(operation.calls) == 1 and error is operation.raised[0], (
        f"attempts=1: the operation ran {len(operation.calls)} times and retry_async "
        f"{outcome(result, error)}; expected one call and its error, {operation.raised[0]!r}"
    )


@task2
async def test_backoff_is_capped_and_configurable() -> None:
    """uses base_delay, factor and max_delay for the waits"""
    operation = Flaky(*failures(5))
    await retry.retry_async(operation, attempts=6, base_delay=1, factor=10, max_delay=15)
    assert operation.waits == pytest.approx([1, 10, 15, 15, 15]), (
        f"With base_delay=1, factor=10, max_delay=15 the waits were {operation.waits}; "
        "expected [1, 10, 15, 15, 15]"
    )


@task3
async def test_other_errors_propagate_at_once() -> None:
    """an error that is not in retry_on propagates at once, without a retry"""
    boom = ValueError("bad request")
    operation = Flaky(boom)
    result, error = await settle(retry.retry_async(operation, retry_on=ConnectionError))
    assert error is boom and len(operation.calls) == 1, (
        f"retry_on=ConnectionError and the operation raised {boom!r}: it ran "
        f"{len(operation.calls)} times and retry_async {outcome(result, error)}. Expected one "
        "call and that very error: a bad request will not get better by asking again"
    )


@task3
async def test_retry_on_a_tuple_and_subclasses() -> None:
    """retry_on takes a tuple of exception classes, and matches their subclasses"""
    operation = Flaky(TimeoutError(), ConnectionRefusedError())
    got = await retry.retry_async(operation, retry_on=(TimeoutError, OSError))
    assert got == "ok" and len(operation.calls) == 3, (
        f"retry_on=(TimeoutError, OSError) with a TimeoutError then a ConnectionRefusedError "
        f"(an OSError): {len(operation.calls)} calls, result {show(got)}; expected 3 and 'ok'"
    )


@task3
async def test_default_retries_exceptions_only() -> None:
    """by default retries any Exception, but not a BaseException such as SystemExit"""
    flaky = Flaky(KeyError("x"), ConnectionError())
    assert await retry.retry_async(flaky) == "ok", "the default retry_on should retry Exceptions"
    fatal = Flaky(Fatal())
    result, error = await settle(retry.retry_async(fatal))
    assert isinstance(error, Fatal) and len(fatal.calls) == 1, (
        f"the operation raised a BaseException that is not an Exception: it ran "
        f"{len(fatal.calls)} times and retry_async {outcome(result, error)}; the default "
        "retry_on=(Exception,) should let it through at once"
    )


@task4
async def test_cancel_during_backoff_ends_at_once() -> None:
    """a cancellation during a backoff sleep ends retry_async at once"""
    operation = Flaky(*failures(3))
    call = asyncio.create_task(retry.retry_async(operation, base_delay=10))
    await asyncio.sleep(1.0)
    call.cancel()
    start = now()
    result, error = await settle(call)
    assert isinstance(error, asyncio.CancelledError), (
        f"retry_async was cancelled during its 10 s backoff sleep and {outcome(result, error)}; "
        "the cancellation should propagate"
    )
    assert now() == start and len(operation.calls) == 1, (
        f"after the cancel at 1.0 s, retry_async went on for {secs(now() - start)} and "
        f"{len(operation.calls) - 1} more attempt(s): a cancelled call stops at once"
    )


@task4
@pytest.mark.parametrize("retry_on", [Exception, BaseException], ids=["Exception", "BaseException"])
async def test_cancellation_is_never_retried(retry_on: type[BaseException]) -> None:
    """an operation that is cancelled is not retried, even with retry_on=BaseException"""
    operation = Flaky(asyncio.CancelledError())
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
    call = asyncio.create_task(retry.retry_async(operation, retry_on=BaseException))
    await asyncio.sleep(1.0)
    call.cancel()
    result, error = await settle(call)
    assert isinstance(error, asyncio.CancelledError) and len(operation.calls) == 1, (
        f"retry_async was cancelled during an attempt: the operation ran {len(operation.calls)} "
        f"times and retry_async {outcome(result, error)}; expected one call, then cancellation"
    )


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
async def test_jitter_never_exceeds_max_delay() -> None:
    """jitter never pushes a delay above max_delay"""
    operation = Flaky(*failures(10))
    await retry.retry_async(operation, attempts=11, base_delay=10, factor=1, max_delay=10,
                            jitter=0.5, rng=random.Random(2))
    outside = [w for w in operation.waits if not 5 <= w <= 10]
    assert not outside, f"with max_delay=10 and jitter=0.5, waits {outside} fell outside 5..10 s"


@task5
async def test_jitter_is_repeatable_with_a_seeded_rng() -> None:
    """the same seeded rng gives the same jittered delays"""
    runs = []
    for _ in range(2):
        operation = Flaky(*failures(4))
        await retry.retry_async(operation, attempts=5, jitter=0.3, rng=random.Random(42))
        runs.append(operation.waits)
    assert runs[0] == runs[1], f"two runs with rng=random.Random(42) waited {runs[0]} and {runs[1]}"
    assert runs[0] != [1.0, 2.0, 4.0, 8.0], "jitter=0.3 left the delays exactly as they were"


@task5
async def test_on_retry_is_told_each_retry() -> None:
    """on_retry gets (attempt, error, delay) before each backoff sleep; none after the last"""
    errors = failures(3)
    events: list[tuple[Any, ...]] = []
    await settle(retry.retry_async(Flaky(*errors), on_retry=lambda e: events.append((*e, now()))))
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
    await retry.retry_async(operation, on_retry=on_retry)
    assert told == [1], f"an async on_retry should be awaited once; it completed for {told}"
    assert operation.waits == pytest.approx([1.5]), (
        f"the retry came {operation.waits[0]} s after the failure: 0.5 s in on_retry, then 1 s"
    )


@task6
@pytest.mark.parametrize(("kwargs", "error", "value"), [
    ({"attempts": 0}, ValueError, "0"), ({"attempts": 2.5}, TypeError, "2.5"),
    ({"attempts": True}, TypeError, "True"), ({"base_delay": -1}, ValueError, "-1"),
    ({"factor": 0.5}, ValueError, "0.5"), ({"max_delay": "10"}, TypeError, "'10'"),
    ({"jitter": 1.5}, ValueError, "1.5"), ({"jitter": -0.1}, ValueError, "-0.1"),
    ({"jitter": "x"}, TypeError, "'x'"), ({"retry_on": "ValueError"}, TypeError, "'ValueError'"),
    ({"retry_on": (ValueError, 3)}, TypeError, "3"), ({"on_retry": 42}, TypeError, "42"),
], ids=lambda v: repr(v) if isinstance(v, dict) else None)
async def test_rejects_bad_arguments(kwargs: dict[str, Any], error: type[Exception],
                                     value: str) -> None:
    """rejects a bad argument before the first attempt, with a message naming it and its value"""
    operation = Flaky()
    [(argument, given)] = kwargs.items()
    await rejects(error, lambda: retry.retry_async(operation, **kwargs),
                  shown=f"retry_async(operation, {argument}={given!r})", named=(argument, value))
    assert not operation.calls, "the operation ran before the arguments were checked"


@task6
async def test_rejects_an_operation_that_is_not_callable() -> None:
    """rejects an operation that is not callable (a coroutine object is a call, not a function)"""
    await rejects(TypeError, lambda: retry.retry_async(42), shown="retry_async(42)", named="42")


@task6
@pytest.mark.parametrize("kwargs", [{"factor": 1, "jitter": 1, "max_delay": 0, "base_delay": 0},
                                    {"retry_on": ()}], ids=["edges", "retry nothing"])
async def test_accepts_edge_values(kwargs: dict[str, Any]) -> None:
    """accepts the edges of every range: jitter 1, factor 1, zero delays, an empty retry_on"""
    operation = Flaky()
    got = await retry.retry_async(operation, **kwargs)
    assert got == "ok", f"retry_async(operation, {kwargs}) should work; it returned {show(got)}"
