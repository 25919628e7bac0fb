"""Behaviour spec of kata 07: rate limiting. Times are loop time."""

import asyncio
from typing import Any

import pytest

from specs import implementation, now, outcome, rejects, settle

limits = implementation("kata07_ratelimit", "limiter")

task1 = pytest.mark.task(1, "a burst from idle, then wait")
task2 = pytest.mark.task(2, "at most `rate` in any window, and no slower than that")
task3 = pytest.mark.task(3, "the window slides on the event loop's clock")
task4 = pytest.mark.task(4, "first come, first served; cancelled waiters take no slot")
task5 = pytest.mark.task(5, "async with, and bad arguments")


def times(values: list[float]) -> list[float]:
    return [round(v, 6) for v in values]


async def one_by_one(limiter: Any, count: int) -> list[float]:
    """`count` acquisitions in a row; the loop time each one passed."""
    passed = []
    for _ in range(count):
        await limiter.acquire()
        passed.append(now())
    return times(passed)


async def all_at_once(limiter: Any, count: int) -> list[float]:
    """`count` tasks acquiring together; the loop time each one passed, in task order."""
    passed: list[float] = [0.0] * count

    async def one(index: int) -> None:
        await limiter.acquire()
        passed[index] = now()

    async with asyncio.TaskGroup() as group:
        for index in range(count):
            group.create_task(one(index))
    return times(passed)


def crowded_windows(passed: list[float], rate: int, per: float) -> list[str]:
    """Windows of `per` seconds in which more than `rate` acquisitions passed."""
    ordered = sorted(passed)
    return [f"{ordered[i]}..{ordered[i + rate]}" for i in range(len(ordered) - rate)
            if ordered[i + rate] - ordered[i] < per - 1e-9]


@task1
async def test_burst_from_idle_then_wait() -> None:
    """from idle, `rate` acquisitions pass at once; the next waits a full period"""
    limiter = limits.RateLimiter(5, 1.0)
    passed = await one_by_one(limiter, 6)
    assert passed == [0, 0, 0, 0, 0, 1.0], (
        f"RateLimiter(5, per=1.0), 6 acquisitions from idle passed at {passed}; expected "
        "[0, 0, 0, 0, 0, 1.0]: a burst of 5 at once, then the 6th when the first leaves the window"
    )


@task1
async def test_default_period_is_one_second() -> None:
    """`per` is 1 second by default"""
    passed = await one_by_one(limits.RateLimiter(2), 3)
    assert passed == [0, 0, 1.0], f"RateLimiter(2) passed 3 acquisitions at {passed}"


@task2
@pytest.mark.parametrize(("rate", "per", "runner"), [
    (5, 2.0, one_by_one), (5, 2.0, all_at_once), (1, 0.5, all_at_once), (3, 1.5, one_by_one)],
    ids=["5 per 2 s, in a row", "5 per 2 s, together", "1 per 0.5 s", "3 per 1.5 s"])
async def test_never_more_than_rate_in_any_window(rate: int, per: float, runner: Any) -> None:
    """never lets more than `rate` through in any window of `per` seconds"""
    passed = await runner(limits.RateLimiter(rate, per), 23)
    crowded = crowded_windows(passed, rate, per)
    assert not crowded, (
        f"RateLimiter({rate}, per={per}) let more than {rate} acquisitions through in the "
        f"{per} s windows starting and ending at {crowded[:3]}. Acquisitions passed at: {passed}"
    )


@task2
@pytest.mark.parametrize("runner", [one_by_one, all_at_once], ids=["in a row", "together"])
async def test_a_steady_stream_gets_the_full_rate(runner: Any) -> None:
    """a steady stream passes at the full rate, not slower"""
    passed = await runner(limits.RateLimiter(5, 2.0), 23)
    assert max(passed) == pytest.approx(8.0), (
        f"23 acquisitions with RateLimiter(5, per=2.0) took until {max(passed)} s; at the full "
        "rate the 23rd passes at 8.0 s (bursts of 5 at 0, 2, 4, 6 and 8 s). Do not wait longer "
        "than needed"
    )


@task3
async def test_waits_follow_the_loop_clock() -> None:
    """waits are measured on the event loop's clock, not the wall clock"""
    limiter = limits.RateLimiter(1, 10.0)
    await limiter.acquire()
    await limiter.acquire()
    assert now() == 10.0, (
        f"RateLimiter(1, per=10.0): the second acquisition passed at {now():.6f} s of loop time, "
        "not 10.0 s. asyncio.sleep counts loop time; a limiter that reads time.monotonic() or "
        "time.time() measures another clock (here a virtual one runs far ahead of it). Use "
        "asyncio.get_running_loop().time()"
    )


@task3
async def test_the_window_slides() -> None:
    """the window slides: each acquisition waits only for the oldest one in the window"""
    limiter = limits.RateLimiter(2, 1.0)
    passed = []
    for at in [0.0, 0.4, 0.5, 1.2, 1.25]:
        if now() < at:
            await asyncio.sleep(at - now())
        await limiter.acquire()
        passed.append(round(now(), 6))
    assert passed == [0.0, 0.4, 1.0, 1.4, 2.0], (
        f"RateLimiter(2, per=1.0), acquiring at 0, 0.4, 0.5, 1.2 and 1.25 s: passed at {passed}; "
        "expected [0.0, 0.4, 1.0, 1.4, 2.0], each one as soon as the window holds fewer than 2. "
        "Measure with asyncio.get_running_loop().time(): a wall clock knows nothing of loop time"
    )


@task3
async def test_an_idle_limiter_forgets_old_acquisitions() -> None:
    """acquisitions older than the window no longer count"""
    limiter = limits.RateLimiter(3, 1.0)
    await one_by_one(limiter, 3)
    await asyncio.sleep(5.0)
    start = now()
    passed = await one_by_one(limiter, 3)
    assert passed == [start] * 3, (
        f"After 5 idle seconds, 3 acquisitions on RateLimiter(3, 1.0) passed at {passed}; "
        f"expected all at once, at {start}"
    )


@task4
async def test_first_come_first_served() -> None:
    """waiters pass in the order they arrived"""
    limiter = limits.RateLimiter(1, 1.0)
    order: list[int] = []

    async def one(index: int) -> None:
        await limiter.acquire()
        order.append(index)

    async with asyncio.TaskGroup() as group:
        for index in range(6):
            group.create_task(one(index))
            await asyncio.sleep(0.01)
    assert order == list(range(6)), f"waiters arriving in order 0..5 passed in order {order}"


@task4
async def test_a_cancelled_waiter_takes_no_slot() -> None:
    """a waiter cancelled while waiting takes no slot and does not hold up the others"""
    limiter = limits.RateLimiter(1, 1.0)
    await limiter.acquire()
    passed: dict[str, float] = {}

    async def waiter(name: str) -> None:
        await limiter.acquire()
        passed[name] = now()

    b = asyncio.create_task(waiter("b"))
    await asyncio.sleep(0.1)
    c = asyncio.create_task(waiter("c"))
    await asyncio.sleep(0.4)
    b.cancel()
    result, error = await settle(b)
    await c
    assert isinstance(error, asyncio.CancelledError), (
        f"the cancelled waiter {outcome(result, error)}; its cancellation should propagate"
    )
    assert passed == {"c": 1.0}, (
        f"With RateLimiter(1, 1.0) taken at 0 s, waiter b was cancelled at 0.5 s while waiting; "
        f"then the passes were {passed}. Expected only c, at 1.0 s: a cancelled waiter takes "
        "no slot and leaves its turn to the next"
    )


@task5
async def test_async_with_acquires() -> None:
    """`async with limiter:` acquires"""
    limiter = limits.RateLimiter(2, 3.0)
    passed = []
    for _ in range(3):
        async with limiter as entered:
            passed.append(now())
    assert passed == [0, 0, 3.0], (
        f"three `async with` blocks on RateLimiter(2, per=3.0) were entered at {passed}; "
        "expected [0, 0, 3.0]"
    )
    assert entered is limiter, "`async with limiter as x` should give the limiter itself"


@task5
@pytest.mark.parametrize(("args", "error", "named"), [
    ((0,), ValueError, ("rate", "0")), ((-3,), ValueError, ("rate", "-3")),
    ((2.5,), TypeError, ("rate", "2.5")), ((True,), TypeError, ("rate", "True")),
    ((5, 0), ValueError, ("per", "0")), ((5, -1.0), ValueError, ("per", "-1.0")),
    ((5, "1"), TypeError, ("per", "'1'")), ((5, None), TypeError, ("per", "None")),
    ((5, False), TypeError, ("per", "False"))])
async def test_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                     named: tuple[str, str]) -> None:
    """rejects a rate that is not an int of at least 1, or a period that is not positive"""
    shown = ", ".join(map(repr, args))
    await rejects(error, lambda: limits.RateLimiter(*args), shown=f"RateLimiter({shown})",
                  named=named)
