"""Behaviour spec of kata 07: rate limiting. Times are loop time."""

import asyncio
import math
import random
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import implementation, listing, now, outcome, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, rejects_naming, same_time
from specs.properties import durations, run_virtual

limits = implementation("kata07_ratelimit", "limiter")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)


OFF_GRID = 0.0005  # half a millisecond: a cancel that ties with no pass


def times(values: list[float]) -> list[float]:
    return [round(v, 6) for v in values]


async def one_by_one(limiter: Any, count: int) -> list[float]:
    """`count` acquisitions in a row; the loop time each one passed."""
    passed = []
    for number in range(count):
        asked = now()
        await limiter.acquire()
        passed.append(now())
        timeline.record_wait(f"acquire {number + 1}", asked, now())
    return times(passed)


async def all_at_once(limiter: Any, count: int) -> list[float]:
    """`count` tasks acquiring together; the loop time each one passed, in task order."""
    passed: list[float] = [0.0] * count

    async def one(index: int) -> None:
        asked = now()
        await limiter.acquire()
        passed[index] = now()
        timeline.record_wait(f"caller {index + 1}", asked, now())

    async with asyncio.TaskGroup() as group:
        for index in range(count):
            group.create_task(one(index))
    return times(passed)


def expect_passes(row: str, asked: list[float], passed: list[float]) -> None:
    """State that `row` 1, 2, ... (as one_by_one and all_at_once name them) waited from each
    `asked` to its `passed`, and was let through then."""
    for number, (start, end) in enumerate(zip(asked, passed, strict=True), 1):
        timeline.expect_wait(f"{row} {number}", start, end)


def window_of(rate: int, per: float, count: int, start: float) -> list[float]:
    """When each of `count` acquisitions in a row (or all at once) passes a sliding window of
    `rate` per `per` seconds, idle from `start`: bursts of `rate`, one per period."""
    return [start + per * (number // rate) for number in range(count)]


def expect_runner(runner: Any, rate: int, per: float, count: int, start: float) -> None:
    """State the timeline `runner` (one_by_one or all_at_once) records for `count`
    acquisitions of an idle RateLimiter(rate, per) from `start`: one after another, each asks
    when the last passed; all at once, every caller asks at `start`."""
    passed = window_of(rate, per, count, start)
    if runner is one_by_one:
        expect_passes("acquire", [start, *passed[:-1]], passed)
    else:
        expect_passes("caller", [start] * count, passed)


def crowded_windows(passed: list[float], rate: int, per: float) -> list[str]:
    """Windows of `per` seconds in which more than `rate` acquisitions passed."""
    ordered = sorted(passed)
    return [f"{ordered[i]}..{ordered[i + rate]}" for i in range(len(ordered) - rate)
            if ordered[i + rate] - ordered[i] < per - CLOCK_RESOLUTION]


def window_passes(arrivals: list[float], cancels: list[float | None], rate: int,
                  per: float, ends: list[str] | None = None) -> list[float | None]:
    """The model: when each waiter (in arrival order) passes a sliding-window limiter that
    serves them first come, first served; None for one cancelled before its turn came. A
    waiter cancelled at the very instant its turn comes may pass or be cancelled: `ends`, what
    each call did, says which."""
    passed: list[float] = []
    due_times: list[float | None] = []
    for index, (arrival, cancel) in enumerate(zip(arrivals, cancels, strict=True)):
        due = max(arrival, passed[-1] if passed else 0.0,
                  passed[-rate] + per if len(passed) >= rate else 0.0)
        due = round(due, 6)
        if cancel is not None and (cancel < due or (cancel == due and ends is not None
                                                    and ends[index] == "cancelled")):
            due_times.append(None)
            continue
        passed.append(due)
        due_times.append(due)
    return due_times


async def arriving(arrivals: list[float], cancels: list[float | None],
                   start: Callable[[int], Coroutine[Any, Any, None]]
                   ) -> list[tuple[Any, BaseException | None]]:
    """One task of `start(index)` per arrival, created in arrival order at its loop time and
    cancelled at its time if one is given; how each ended (`settle`), once all have."""
    async def cancel_at(task: asyncio.Task[None], moment: float) -> None:
        await asyncio.sleep(moment - now())
        task.cancel()

    tasks, cancellers = [], []
    for index, arrival in enumerate(arrivals):
        if arrival > now():
            await asyncio.sleep(arrival - now())
        tasks.append(asyncio.create_task(start(index)))
        if cancels[index] is not None:
            cancellers.append(asyncio.create_task(cancel_at(tasks[-1], cancels[index])))
    settled = [await settle(task) for task in tasks]
    await asyncio.gather(*cancellers)
    return settled


async def waiters(limiter: Any, arrivals: list[float], cancels: list[float | None],
                  styles: list[str]) -> tuple[list[float | None], list[int], list[str]]:
    """One task per arrival (created in arrival order, at its loop time), acquiring with
    acquire() or `async with`, cancelled at its time if one is given; returns when each
    passed, the order they passed in, and how each call ended."""
    passed: list[float | None] = [None] * len(arrivals)
    order: list[int] = []
    ends: list[str] = ["?"] * len(arrivals)

    async def waiter(index: int) -> None:
        if styles[index] == "async with":
            async with limiter as entered:
                passed[index] = now()
                order.append(index)
            if entered is not limiter:
                ends[index] = f"gave {show(entered)} to `as`"
        else:
            await limiter.acquire()
            passed[index] = now()
            order.append(index)

    for index, (result, error) in enumerate(await arriving(arrivals, cancels, waiter)):
        if ends[index] == "?":
            ends[index] = ("cancelled" if isinstance(error, asyncio.CancelledError)
                           else outcome(result, error))
    return [None if t is None else round(t, 6) for t in passed], order, ends


def at(moment: float) -> str:
    """A loop time to the microsecond, for a message."""
    return f"{round(moment, 6)} s"


def arrival_times(gaps: list[float]) -> list[float]:
    arrivals, moment = [], 0.0
    for gap in gaps:
        moment = round(moment + gap, 6)
        arrivals.append(moment)
    return arrivals


def check_passes(given_as: str, passed: list[float | None], order: list[int],
                 expected: list[float | None], rate: int, per: float) -> None:
    crowded = crowded_windows([t for t in passed if t is not None], rate, per)
    assert not crowded, (
        f"{given_as}: they passed at {show(passed)}, more than {rate} within {at(per)} "
        f"(from..to: {listing(crowded[:3])}); expected at most {rate} in any window")
    late = [f"waiter {i} {'never' if t is None else 'at ' + at(t)} instead of "
            f"{'never' if e is None else at(e)}"
            for i, (t, e) in enumerate(zip(passed, expected, strict=True))
            if (t is None) != (e is None) or (t is not None and e is not None
                                              and not same_time(t, e))]
    assert not late, (
        f"{given_as}: they passed at {show(passed)}; expected {show(expected)}. Off: "
        f"{listing(late[:3])}. Each waiter, in arrival order, passes the moment fewer than "
        f"{rate} passed in the last {at(per)} (an acquisition at t counts until t + per), "
        "on the loop's clock, not a poll or a rounded time later; and none before one that "
        "called acquire() earlier, even one arriving at the very instant a slot frees")
    arrived = [i for i in range(len(passed)) if passed[i] is not None]
    assert order == arrived, (
        f"{given_as}: they passed in the order {order}; first come, first served is {arrived}")


def moments(low: float, high: float) -> st.SearchStrategy[float]:
    """Seconds to the microsecond (looptime's clock step): off any coarser grid, so a limiter
    that polls, or rounds the times it keeps, is seen passing early or late."""
    return st.integers(round(low * 1e6), round(high * 1e6)).map(lambda us: us / 1e6)


GAPS = st.lists(st.sampled_from([0.0]) | durations(0.001, 1.5), min_size=1, max_size=7)
FINE_GAPS = st.lists(st.sampled_from([0.0]) | moments(0.001, 1.5), min_size=1, max_size=7)


# Task 1: pass a burst from idle, then wait (one caller at a time); the `together` cases of the
# first two behaviours are task 3's.

@task1
async def test_burst_from_idle_then_wait() -> None:
    """from idle, `rate` acquisitions pass at once; the next waits a full period"""
    limiter = limits.RateLimiter(5, 1.0)
    expect_runner(one_by_one, 5, 1.0, 6, now())
    passed = await one_by_one(limiter, 6)
    assert same_time(passed, [0, 0, 0, 0, 0, 1.0]), (
        f"RateLimiter(5, per=1.0), 6 acquisitions from idle passed at {passed}; expected "
        "[0, 0, 0, 0, 0, 1.0]: a burst of 5 at once, then the 6th when the first leaves the window"
    )


@task1
async def test_default_period_is_one_second() -> None:
    """`per` is 1 second by default"""
    expect_runner(one_by_one, 2, 1.0, 3, now())
    passed = await one_by_one(limits.RateLimiter(2), 3)
    assert same_time(passed, [0, 0, 1.0]), f"RateLimiter(2) passed 3 acquisitions at {passed}"


@pytest.mark.parametrize(("rate", "per", "runner"), [
    pytest.param(5, 2.0, all_at_once, id="5 per 2 s, together", marks=task3),
    pytest.param(3, 1.5, one_by_one, id="3 per 1.5 s, in a row", marks=task1)])
async def test_never_more_than_rate_in_any_window(rate: int, per: float, runner: Any) -> None:
    """never lets more than `rate` through in any window of `per` seconds"""
    expect_runner(runner, rate, per, 23, now())
    passed = await runner(limits.RateLimiter(rate, per), 23)
    crowded = crowded_windows(passed, rate, per)
    assert not crowded, (
        f"RateLimiter({rate}, per={per}) let more than {rate} acquisitions through in the "
        f"{per} s windows starting and ending at {crowded[:3]}. Acquisitions passed at: {passed}"
    )


@pytest.mark.parametrize("runner", [pytest.param(one_by_one, id="in a row", marks=task1),
                                    pytest.param(all_at_once, id="together", marks=task3)])
async def test_a_steady_stream_gets_the_full_rate(runner: Any) -> None:
    """a steady stream passes at the full rate, not slower"""
    expect_runner(runner, 5, 2.0, 23, now())
    passed = await runner(limits.RateLimiter(5, 2.0), 23)
    assert same_time(max(passed), 8.0), (
        f"23 acquisitions with RateLimiter(5, per=2.0) took until {max(passed)} s; at the full "
        "rate the 23rd passes at 8.0 s (bursts of 5 at 0, 2, 4, 6 and 8 s). Do not wait longer "
        "than needed"
    )


@task1
async def test_waits_follow_the_loop_clock() -> None:
    """waits are measured on the event loop's clock, not the wall clock"""
    limiter = limits.RateLimiter(1, 10.0)
    await limiter.acquire()
    await limiter.acquire()
    assert same_time(now(), 10.0), (
        f"RateLimiter(1, per=10.0): the second acquisition passed at {now():.6f} s of loop time, "
        "not 10.0 s. asyncio.sleep counts loop time; a limiter that reads time.monotonic() or "
        "time.time() measures another clock (here a virtual one runs far ahead of it). Use "
        "asyncio.get_running_loop().time()"
    )


@task1
async def test_the_window_slides() -> None:
    """the window slides: each acquisition waits only for the oldest one in the window"""
    limiter = limits.RateLimiter(2, 1.0)
    passed = []
    for number, (at, due) in enumerate(zip([0.0, 0.4, 0.5, 1.2, 1.25], [0.0, 0.4, 1.0, 1.4, 2.0],
                                           strict=True), 1):
        timeline.expect_wait(f"acquire {number}", max(at, now()), due)
        if now() < at:
            await asyncio.sleep(at - now())
        asked = now()
        await limiter.acquire()
        passed.append(round(now(), 6))
        timeline.record_wait(f"acquire {number}", asked, now())
    assert same_time(passed, [0.0, 0.4, 1.0, 1.4, 2.0]), (
        f"RateLimiter(2, per=1.0), acquiring at 0, 0.4, 0.5, 1.2 and 1.25 s: passed at {passed}; "
        "expected [0.0, 0.4, 1.0, 1.4, 2.0], each one as soon as the window holds fewer than 2. "
        "Measure with asyncio.get_running_loop().time(): a wall clock knows nothing of loop time"
    )


@task1
async def test_an_idle_limiter_forgets_old_acquisitions() -> None:
    """acquisitions older than the window no longer count"""
    limiter = limits.RateLimiter(3, 1.0)
    for number in range(1, 4):  # all at once, then again all at once 5 s later
        for moment in (now(), now() + 5.0):
            timeline.expect(f"acquire {number}", moment, kind=timeline.RETURNED)
    await one_by_one(limiter, 3)
    await asyncio.sleep(5.0)
    start = now()
    passed = await one_by_one(limiter, 3)
    assert same_time(passed, [start] * 3), (
        f"After 5 idle seconds, 3 acquisitions on RateLimiter(3, 1.0) passed at {passed}; "
        f"expected all at once, at {start}"
    )


# Task 2: support `async with`.

@task2
async def test_async_with_acquires() -> None:
    """`async with limiter as x:` acquires on entering and gives the limiter itself"""
    limiter = limits.RateLimiter(2, 3)
    passed = []
    for _ in range(3):
        async with limiter as entered:
            passed.append(now())
    assert same_time(passed, [0, 0, 3.0]), (
        f"three `async with` blocks on RateLimiter(2, per=3) were entered at {passed}; "
        "expected [0, 0, 3.0]"
    )
    assert entered is limiter, (
        f"`async with limiter as x` gave x = {show(entered)}; it should give the limiter itself")


class Stop(BaseException):
    """Not an Exception: what a block may raise besides errors (as CancelledError is)."""


@task2
@pytest.mark.parametrize("ending", ["raises KeyError", "raises a BaseException",
                                    "is cancelled"])
async def test_leaving_the_block_gives_nothing_back(ending: str) -> None:
    """leaving `async with` gives no slot back, and lets any exception of the block through

    The block's exception may be an error, a BaseException or a cancellation.
    """
    limiter = limits.RateLimiter(1, 2.0)
    raised: BaseException = KeyError("inside the block") if ending == "raises KeyError" else Stop()
    block = asyncio.create_task(_inside(limiter, None if ending == "is cancelled" else raised))
    await asyncio.sleep(0.5)
    if ending == "is cancelled":
        block.cancel()
    result, error = await settle(block)
    lets_through = (isinstance(error, asyncio.CancelledError) if ending == "is cancelled"
                    else error is raised)
    what = ("was cancelled at 0.5 s" if ending == "is cancelled"
            else f"raised {raised!r} at 0.5 s")
    assert lets_through, (
        f"the block inside `async with limiter:` {what}; the `async with` "
        f"{outcome(result, error)}. __aexit__ must let any exception through (return None), "
        "a cancellation too")
    await limiter.acquire()
    assert same_time(now(), 2.0), (
        f"RateLimiter(1, per=2.0): after an `async with` block entered at 0 s that {what}, "
        f"acquire() passed at {secs(now())}; expected 2.0 s. Leaving the block gives nothing "
        "back, however it ends: a rate limit counts acquisitions, it is not a Semaphore")


async def _inside(limiter: Any, error: BaseException | None) -> None:
    async with limiter:
        await asyncio.sleep(0.5)
        if error is not None:
            raise error
        await asyncio.sleep(10.0)


@task2
async def test_blocks_are_inside_together() -> None:
    """the limiter bounds how many blocks start, not how many run: `rate` are inside together

    The limiter bounds how many blocks start, not how many run: `rate` blocks that take a while
    are inside together, and one more enters when the window slides, though they still run.
    """
    limiter = limits.RateLimiter(3, 1.0)
    entered: list[float] = []
    inside, most = 0, 0

    async def block(start: float) -> None:
        nonlocal inside, most
        await asyncio.sleep(start)
        async with limiter:
            entered.append(round(now(), 6))
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(2.5)
            inside -= 1

    async with asyncio.TaskGroup() as group:
        for start in (0.0, 0.0, 0.0, 0.5):
            group.create_task(block(start))
    assert same_time(sorted(entered), [0.0, 0.0, 0.0, 1.0]) and most == 4, (
        f"RateLimiter(3, per=1.0), three `async with` blocks of 2.5 s entered at 0 s and a fourth "
        f"at 0.5 s: they entered at {show(sorted(entered))}, at most {most} inside at once. "
        "Expected [0.0, 0.0, 0.0, 1.0] and all 4 inside together from 1.0 s: a rate limit "
        "counts starts; holding a lock from __aenter__ to __aexit__ makes it a mutex, one block "
        "at a time")


# Task 3: callers all at once, first come, first served.

@task3
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


@task3
@pytest.mark.parametrize(("rate", "calls"), [(8, [0.0] * 8), (3, [0.1, 0.25, 0.5])],
                         ids=["8 called together", "3 called at different times"])
async def test_waits_ending_at_the_same_instant_pass_in_call_order(rate: int,
                                                                   calls: list[float]) -> None:
    """callers whose waits end at the same loop instant pass in the order they called"""
    limiter = limits.RateLimiter(rate, 1.0)
    await one_by_one(limiter, rate)
    order: list[int] = []
    passed: list[float] = [0.0] * len(calls)

    async def waiter(index: int) -> None:
        await limiter.acquire()
        order.append(index)
        passed[index] = round(now(), 6)

    tasks = []
    for index, moment in enumerate(calls):
        await asyncio.sleep(moment - now())
        tasks.append(asyncio.create_task(waiter(index)))
    await asyncio.gather(*tasks)
    called = listing(secs(c) for c in calls)
    assert same_time(passed, [1.0] * len(calls)), (
        f"RateLimiter({rate}, per=1.0) with {rate} passed at 0 s, then {len(calls)} callers at "
        f"{called}: they passed at {show(passed)}; expected all at 1.0 s, when the first {rate} "
        "leave the window")
    assert order == list(range(len(calls))), (
        f"RateLimiter({rate}, per=1.0) with {rate} passed at 0 s, then {len(calls)} callers at "
        f"{called}, all due at 1.0 s: they passed in the order {order}; expected the order they "
        f"called, {list(range(len(calls)))}. Timers set for the same instant fire in no "
        "promised order: queue the waiters (an asyncio.Lock, a deque of futures) and serve "
        "them in turn")


@task3
@given(rate=st.integers(1, 4), per=st.none() | moments(0.01, 2.5), gaps=FINE_GAPS,
       caller=st.sampled_from(["one caller", "a task per arrival"]),
       style=st.sampled_from(["acquire()", "async with", "both"]),
       ties=st.lists(st.integers(0, 6), max_size=3))
@example(rate=2, per=0.333, gaps=[0.0, 0.0, 0.0, 0.1, 0.0], caller="a task per arrival",
         style="acquire()", ties=[])
@example(rate=1, per=None, gaps=[0.0, 0.25, 0.75, 0.999], caller="one caller",
         style="async with", ties=[])
@example(rate=3, per=1.0, gaps=[0.0, 0.5, 0.5, 0.5, 0.001], caller="a task per arrival",
         style="both", ties=[])
@example(rate=2, per=None, gaps=[0.0, 0.0, 0.0, 0.0], caller="a task per arrival",
         style="acquire()", ties=[2])
@example(rate=1, per=0.2504, gaps=[0.0, 0.0, 0.000317, 0.0], caller="one caller",
         style="acquire()", ties=[])
@settings(max_examples=10)
def test_any_arrivals_pass_the_moment_the_window_has_room(
        rate: int, per: float | None, gaps: list[float], caller: str, style: str,
        ties: list[int]) -> None:
    """any rate, per and arrivals: each passes the moment the sliding window has room, in turn, none
    barging past a waiter

    Arrivals are timed to the microsecond, some at the very instant a slot frees.
    """
    window = 1.0 if per is None else per
    made = f"RateLimiter({rate})" if per is None else f"RateLimiter({rate}, per={per})"
    arrivals = arrival_times(gaps)
    if caller == "a task per arrival" and ties:
        # newcomers arriving at the very instant a waiter's turn comes: they queue behind it
        due = window_passes(arrivals, [None] * len(arrivals), rate, window)
        arrivals = sorted([*arrivals, *(due[i % len(due)] or 0.0 for i in ties)])
    styles = [("async with" if style == "async with" or (style == "both" and i % 2)
               else "acquire()") for i in range(len(arrivals))]

    async def scenario() -> tuple[list[float | None], list[int], list[str], list[float]]:
        limiter = limits.RateLimiter(rate) if per is None else limits.RateLimiter(rate, per)
        if caller == "a task per arrival":
            return (*await waiters(limiter, arrivals, [None] * len(arrivals), styles), arrivals)
        passed, arrived = [], []
        for gap, how in zip(gaps, styles, strict=True):
            await asyncio.sleep(gap)
            arrived.append(round(now(), 6))
            if how == "async with":
                async with limiter:
                    passed.append(round(now(), 6))
            else:
                await limiter.acquire()
                passed.append(round(now(), 6))
        return passed, list(range(len(gaps))), ["returned None"] * len(gaps), arrived

    passed, order, ends, arrived = run_virtual(scenario)
    given_as = (f"{made}, {caller} ({style}) acquiring at "
                f"{listing(at(a) for a in arrived)}"
                + (" (each after the previous one passed)" if caller == "one caller" else ""))
    odd = [f"waiter {i} {end}" for i, end in enumerate(ends) if end != "returned None"]
    assert not odd, f"{given_as}: {listing(odd)}; each should simply pass"
    if caller == "one caller":
        expected: list[float | None] = []
        done: list[float] = []
        for gap in gaps:  # the model, for one caller: each arrives `gap` after the last passed
            arrival = round((done[-1] if done else 0.0) + gap, 6)
            done.append(round(max(arrival, done[-rate] + window if len(done) >= rate
                                  else 0.0), 6))
            expected.append(done[-1])
    else:
        expected = window_passes(arrived, [None] * len(arrived), rate, window)
    check_passes(given_as, passed, order, expected, rate, window)


# Task 4: cancelled waiters take no slot, over the limiter's whole life.

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


@task4
@given(rate=st.integers(1, 3), per=durations(0.01, 2.0), gaps=GAPS,
       cancels=st.lists(st.none() | durations(0.0, 2.0), min_size=8, max_size=8),
       at_its_turn=st.none() | st.integers(0, 7))
@example(rate=1, per=1.0, gaps=[0.0, 0.1, 0.1, 0.1], cancels=[None, 0.4, None, None, *[None] * 4],
         at_its_turn=None)
@example(rate=2, per=0.333, gaps=[0.0, 0.0, 0.0, 0.0, 0.0],
         cancels=[None, None, 0.0, 0.1, None, *[None] * 3], at_its_turn=None)
@example(rate=2, per=1.0, gaps=[0.0, 0.0, 0.1, 0.1, 0.1], cancels=[None] * 8, at_its_turn=2)
@example(rate=1, per=0.5, gaps=[0.0, 0.1, 0.1, 0.1], cancels=[None, None, 0.2, *[None] * 5],
         at_its_turn=1)
@settings(max_examples=10)
def test_cancelled_waiters_take_no_slot_and_hold_up_no_one(
        rate: int, per: float, gaps: list[float], cancels: list[float | None],
        at_its_turn: int | None) -> None:
    """waiters cancelled at any moment raise CancelledError, take no slot, hold up no one

    A waiter may be cancelled first, middle or last in line, or at the very instant its turn comes.
    """
    arrivals = arrival_times(gaps)
    cancel_times = [None if c is None else round(a + c + OFF_GRID, 6)
                    for a, c in zip(arrivals, cancels, strict=False)]
    if at_its_turn is not None and at_its_turn < len(arrivals):
        # cancelled at the instant its turn comes: it may pass, or raise and take no slot
        cancel_times[at_its_turn] = None
        cancel_times[at_its_turn] = window_passes(arrivals, cancel_times, rate, per)[at_its_turn]
    styles = ["async with" if i % 3 == 2 else "acquire()" for i in range(len(arrivals))]

    async def scenario() -> tuple[list[float | None], list[int], list[str]]:
        return await waiters(limits.RateLimiter(rate, per), arrivals, cancel_times, styles)

    passed, order, ends = run_virtual(scenario)
    expected = window_passes(arrivals, cancel_times, rate, per, ends)
    cancelled = [f"waiter {i} at {secs(c)}" + (" (the instant its turn came)"
                                                if i == at_its_turn else "")
                 for i, c in enumerate(cancel_times) if c is not None and expected[i] is None]
    given_as = (f"RateLimiter({rate}, per={per}), waiters arriving at "
                f"{listing(secs(a) for a in arrivals)}, cancelled while waiting: "
                f"{listing(cancelled) if cancelled else 'none'}")
    wrong = [f"waiter {i} {end}" for i, end in enumerate(ends)
             if end != ("cancelled" if expected[i] is None else "returned None")]
    assert not wrong, (
        f"{given_as}: {listing(wrong)}. A waiter cancelled while waiting must raise "
        "CancelledError (let the cancellation propagate); the others simply pass")
    check_passes(given_as, passed, order, expected, rate, per)


@task4
@pytest.mark.parametrize("hops", range(6))
async def test_a_waiter_cancelled_as_its_wait_ends_takes_no_slot(hops: int) -> None:
    """a waiter cancelled at the instant its wait ends passes or takes no slot

    A waiter cancelled at the instant its wait ends, even woken but not yet run, either passes
    or takes no slot: the next one passes at once.

    The cancel comes from a timer at that instant, `hops` loop turns (call_soon) after it fires.
    """
    limiter = limits.RateLimiter(1, 1.0)
    loop = asyncio.get_running_loop()
    await limiter.acquire()
    passed: dict[str, float] = {}

    async def waiter(name: str) -> None:
        await limiter.acquire()
        passed[name] = round(now(), 6)

    b = asyncio.create_task(waiter("b"))
    c = asyncio.create_task(waiter("c"))

    def cancel(left: int) -> None:
        if left:
            loop.call_soon(cancel, left - 1)
        else:
            b.cancel()

    loop.call_at(loop.time() + 1.0, cancel, hops)
    b_result, b_error = await settle(b)
    await c
    b_ended = "was cancelled" if isinstance(b_error, asyncio.CancelledError) else outcome(
        b_result, b_error)
    expected = {"c": 1.0} if "b" not in passed else {"b": 1.0, "c": 2.0}
    assert passed == expected and ("b" in passed) != (b_ended == "was cancelled"), (
        f"RateLimiter(1, per=1.0) taken at 0 s; waiters b then c; b was cancelled at 1.0 s, the "
        f"instant its wait ended ({hops} loop turn(s) after a timer then): b {b_ended}, and the "
        f"passes were {passed}. Expected b to pass at 1.0 s and c at 2.0 s, or b to raise "
        "CancelledError and c to pass at 1.0 s: a waiter woken for its slot but cancelled "
        "before it ran takes no slot (give it to the next)")


async def _busy_waiters(limiter: Any, arrivals: list[float], cancels: list[float | None],
                        kinds: list[str]) -> tuple[list[float | None], list[int], list[str]]:
    """One task per arrival entering `async with limiter`; inside, each block of kind "slow"
    runs 0.7 s, "raises" raises KeyError after 0.3 s, "quick" returns; some are cancelled at
    their time. Returns when each passed, the order they passed in, and how each ended."""
    passed: list[float | None] = [None] * len(arrivals)
    order: list[int] = []

    async def block(index: int) -> None:
        async with limiter:
            passed[index] = round(now(), 6)
            order.append(index)
            if kinds[index] == "slow":
                await asyncio.sleep(0.7)
            elif kinds[index] == "raises":
                await asyncio.sleep(0.3)
                raise KeyError(index)

    ends = ["cancelled" if isinstance(error, asyncio.CancelledError)
            else "raised KeyError" if isinstance(error, KeyError)
            else outcome(result, error)
            for result, error in await arriving(arrivals, cancels, block)]
    return passed, order, ends


@task4
@pytest.mark.parametrize("seed", [1, 2])
async def test_the_bound_holds_over_a_long_run(seed: int) -> None:
    """over a long run with cancels and failing blocks, every window holds at most `rate`

    Over a long run with cancelled waiters and blocks that raise or take a while, every window
    still holds at most `rate` and each waiter passes on time, in turn.
    """
    draw = random.Random(seed)
    count, rate, per = 80, 3, 1.0
    arrivals = arrival_times([round(draw.choice([0.0, 0.05, 0.2, 0.4, 0.6]), 6)
                              for _ in range(count)])
    cancels = [round(a + draw.choice([0.1, 0.5, 1.2]) + OFF_GRID, 6) if i % 5 == 4 else None
               for i, a in enumerate(arrivals)]
    kinds = [("raises", "slow", "quick")[i % 3] for i in range(count)]
    passed, order, ends = await _busy_waiters(limits.RateLimiter(rate, per), arrivals, cancels,
                                              kinds)
    expected = window_passes(arrivals, cancels, rate, per, ends)
    given_as = (f"RateLimiter({rate}, per={per}), {count} `async with` blocks arriving over "
                f"{secs(arrivals[-1])} (random.Random({seed})), every 5th cancelled, every 3rd "
                "raising KeyError after 0.3 s, every 3rd taking 0.7 s")
    def should_end(i: int) -> str:
        """How waiter i ends: cancelled while waiting or inside a block still running, else
        as its block does."""
        runs = {"slow": 0.7, "raises": 0.3, "quick": 0.0}[kinds[i]]
        cancel, due = cancels[i], expected[i]
        if cancel is not None and (due is None or cancel < due + runs):
            return "cancelled"
        return "raised KeyError" if kinds[i] == "raises" else "returned None"

    wrong = [f"waiter {i} {end} instead of: {should_end(i)}" for i, end in enumerate(ends)
             if end != should_end(i)]
    assert not wrong, (
        f"{given_as}: {listing(wrong[:3])}. A cancelled waiter raises CancelledError; a block's "
        "own KeyError goes through `async with`; the others simply pass")
    check_passes(given_as, passed, order, expected, rate, per)


# Task 5: reject bad arguments.

@task5
@pytest.mark.parametrize(("args", "error"), [
    ((0,), ValueError), ((-3,), ValueError), ((2.5,), TypeError), ((True,), TypeError),
    (("4",), TypeError), ((None,), TypeError),
    ((5, 0), ValueError), ((5, -1.0), ValueError), ((5, 0.0), ValueError),
    ((5, "1"), TypeError), ((5, None), TypeError), ((5, False), TypeError),
    ((3.0,), TypeError), ((math.inf,), TypeError), ((math.nan,), TypeError),
    ((5, math.nan), ValueError), ((5, math.inf), ValueError), ((5, -math.inf), ValueError)],
    ids=lambda v: f"RateLimiter({', '.join(map(repr, v))})" if isinstance(v, tuple) else None)
async def test_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception]) -> None:
    """rejects a rate not an int of at least 1, or a per not a finite number above 0

    NaN is refused (`per <= 0` is False for it), and so is per=math.inf: a window that never
    slides would let `rate` pass and then no one ever again.
    """
    shown = ", ".join(map(repr, args))
    argument = "per" if len(args) == 2 else "rate"
    await rejects_naming(error, lambda: limits.RateLimiter(*args),
                         shown=f"RateLimiter({shown})", argument=argument, value=args[-1])
