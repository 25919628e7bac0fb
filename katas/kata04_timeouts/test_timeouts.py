"""Behaviour spec of kata 04: timeouts and cancellation. Times are loop time."""

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, running_tasks, same_time, shows
from specs.properties import durations, run_virtual
from specs.timeline import expect_caller

timeouts = implementation("kata04_timeouts", "timeouts")
T = TypeVar("T")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)
task6 = pytest.mark.task(6)
task7 = pytest.mark.task(7)


class Handler:
    """A worker's handle(): each item sleeps its duration; clean-up takes 0.5 s. Its timeline
    is the row "item <name>" (``item a``; a second handling ``item a #2``): the item running,
    cancelled or failed, then its clean-up."""

    def __init__(self, **durations: float) -> None:
        self.durations = durations
        self.started: list[str] = []
        self.cancels = 0
        self.cleanups: list[str] = []
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, item: str) -> None:
        self.started.append(item)
        lives = self.started.count(item)
        row, begun = f"item {item}" + (f" #{lives}" if lives > 1 else ""), now()
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.durations[item])
            if item.startswith("bad"):
                timeline.record_mark(row, now(), timeline.FAILED)
                raise ValueError(item)
        except asyncio.CancelledError:
            self.cancels += 1
            timeline.record_mark(row, now(), timeline.CANCELLED)
            raise
        finally:
            self.in_flight -= 1
            ended = now()
            timeline.record_span(row, begun, ended)
            try:
                await asyncio.sleep(0.5)
            except asyncio.CancelledError:  # cancelled again: the clean-up is cut short
                timeline.record_mark(row, now(), timeline.CANCELLED)
                raise
            finally:
                timeline.record_span(row, ended, now(), timeline.CLEANUP)
            self.cleanups.append(item)


async def drawn(call: Awaitable[T]) -> T:
    """Await `call` as it is, its result or error unchanged; the wait is drawn on the row
    "caller", as `settle` draws it."""
    with timeline.drawing(timeline.CALLER, timeline.WAIT, returned=True):
        return await call


def expect_item(item: str, start: float, end: float, how: str | None = None) -> None:
    """State what the contract expects of a Handler's item: it runs from `start` to `end`,
    is cancelled or fails then (`how`), and cleans up for 0.5 s."""
    row = f"item {item}"
    timeline.expect(row, start, end)
    if how is not None:
        timeline.expect(row, end, kind=how)
    timeline.expect(row, end, end + 0.5, timeline.CLEANUP)


def expect_job(start: float, end: float, how: str | None = None, cleanup: float = 0.0) -> None:
    """State what the contract expects of job0: it runs from `start` to `end`, is cancelled or
    fails then (`how`), and cleans up for `cleanup` s."""
    timeline.expect("job0", start, end)
    if how is not None:
        timeline.expect("job0", end, kind=how)
    timeline.expect("job0", end, end + cleanup, timeline.CLEANUP)

@task1
async def test_result_in_time(jobs: Jobs) -> None:
    """returns the result when the work finishes before the deadline"""
    expect_job(0.0, 1.0)
    got = await timeouts.timeout_after(2.0, jobs.make(1.0, result="done")())
    assert got == "done", f"timeout_after(2.0, <1 s of work>) returned {show(got)}; expected 'done'"
    assert same_time(now(), 1.0), f"it took {secs(now())}; the work takes 1.0 s"


@task1
@pytest.mark.parametrize("seconds", [2.0, 0], ids=["2 s", "0 s"])
async def test_timeout_at_the_deadline(seconds: float, jobs: Jobs) -> None:
    """raises TimeoutError exactly at the deadline"""
    if seconds:  # with no time at all, the work may be cancelled before it starts
        expect_job(0.0, seconds, timeline.CANCELLED)
    expect_caller(0.0, seconds, timeline.FAILED)
    result, error = await settle(timeouts.timeout_after(seconds, jobs.make(10.0)()))
    assert isinstance(error, TimeoutError), (
        f"timeout_after({seconds}, <10 s of work>) {outcome(result, error)}; expected TimeoutError"
    )
    assert same_time(now(), seconds), (
        f"TimeoutError came after {secs(now())} of loop time; the deadline was {secs(seconds)}"
    )


@task1
async def test_timeout_cancels_and_cleans_up_first(jobs: Jobs) -> None:
    """by the time TimeoutError arrives, the work was cancelled and its clean-up has run"""
    expect_job(0.0, 2.0, timeline.CANCELLED, cleanup=0.5)
    expect_caller(0.0, 2.5, timeline.FAILED)
    await settle(timeouts.timeout_after(2.0, jobs.make(10.0, cleanup_s=0.5)()))
    work = jobs.records[0]
    assert work.cancelled and work.cleaned_up, (
        f"When TimeoutError reached the caller the work was "
        f"{'cancelled' if work.cancelled else 'not cancelled'} and its clean-up "
        f"{'had run' if work.cleaned_up else 'had not finished'}: the timed-out work must be "
        "cancelled, and the caller must hear of it only after the clean-up"
    )
    assert same_time(now(), 2.5), f"the clean-up takes 0.5 s after 2.0 s; took {secs(now())}"


@task1
async def test_timeout_of_a_task(jobs: Jobs) -> None:
    """works with a task as the awaitable: the task is cancelled at the deadline"""
    expect_job(0.0, 1.0, timeline.CANCELLED)
    expect_caller(0.0, 1.0, timeline.FAILED)
    work = asyncio.create_task(jobs.make(10.0)())
    result, error = await settle(timeouts.timeout_after(1.0, work))
    assert isinstance(error, TimeoutError) and work.cancelled(), (
        f"timeout_after(1.0, <task of 10 s>) {outcome(result, error)} and the task "
        f"{'was' if work.cancelled() else 'was not'} cancelled; expected TimeoutError and a "
        "cancelled task"
    )


@task1
@pytest.mark.parametrize("error", [ValueError("bad data"), TimeoutError("upstream timed out")],
                         ids=["ValueError", "its own TimeoutError"])
async def test_errors_of_the_work_propagate_unchanged(error: Exception, jobs: Jobs) -> None:
    """an exception raised by the work propagates unchanged"""
    expect_job(0.0, 1.0, timeline.FAILED)
    expect_caller(0.0, 1.0, timeline.FAILED)
    result, raised = await settle(timeouts.timeout_after(5.0, jobs.make(1.0, error=error)()))
    assert raised is error, (
        f"The work raised {error!r} after 1 s (deadline 5 s); timeout_after "
        f"{outcome(result, raised)}. Expected that very exception"
    )
    assert same_time(now(), 1.0), f"the error surfaced after {secs(now())}, not at 1.0 s"


@task1
async def test_cancelling_the_caller_is_not_a_timeout(jobs: Jobs) -> None:
    """a cancellation of the caller cancels the work at once; after its clean-up it propagates,
    never as TimeoutError"""
    expect_job(0.0, 1.0, timeline.CANCELLED, cleanup=0.5)
    expect_caller(1.0, 1.5, timeline.CANCELLED)  # the caller's wait, from its cancel
    caller = asyncio.create_task(timeouts.timeout_after(5.0, jobs.make(10.0, cleanup_s=0.5)()))
    await asyncio.sleep(1.0)
    caller.cancel()
    result, error = await settle(caller)
    assert isinstance(error, asyncio.CancelledError), (
        f"The caller was cancelled at 1.0 s (deadline 5.0 s); timeout_after "
        f"{outcome(result, error)}. A cancellation from outside is not a timeout: let it propagate"
    )
    work = jobs.records[0]
    assert work.cancelled and work.cleaned_up, (
        f"When the caller's cancellation (at 1.0 s) reached it at {secs(now())}, the work was "
        f"{'cancelled' if work.cancelled else 'not cancelled'} and its clean-up "
        f"{'had run' if work.cleaned_up else 'had not finished'}: a cancelled caller cancels "
        "the work too, and hears of it only after the work's clean-up"
    )
    assert same_time(now(), 1.5), (
        f"The caller was cancelled at 1.0 s and the work's clean-up takes 0.5 s; the "
        f"cancellation reached the caller at {secs(now())}, not at 1.5 s: cancel the work at "
        "once, and wait for its clean-up only"
    )


@task1
@pytest.mark.parametrize("kind", ["task", "Future"])
async def test_work_cancelled_elsewhere_is_no_timeout(kind: str, jobs: Jobs) -> None:
    """a task or Future cancelled by someone else before the deadline: its CancelledError propagates
    at once

    No TimeoutError comes before the deadline.
    """
    if kind == "task":
        expect_job(0.0, 1.0, timeline.CANCELLED)
    expect_caller(0.0, 1.0, timeline.CANCELLED)
    work = (asyncio.create_task(jobs.make(10.0)()) if kind == "task"
            else asyncio.get_running_loop().create_future())
    asyncio.get_running_loop().call_later(1.0, work.cancel)
    result, error = await settle(timeouts.timeout_after(5.0, work))
    assert isinstance(error, asyncio.CancelledError) and same_time(now(), 1.0), (
        f"The {kind} given to timeout_after(5.0, ...) was cancelled by someone else at 1.0 s; "
        f"timeout_after {outcome(result, error)} at {secs(now())}. Expected the work's own "
        "outcome, CancelledError, at 1.0 s: TimeoutError means the deadline passed, and it "
        "had not")


@task1
@pytest.mark.budget(2000)
@pytest.mark.parametrize("seconds", [None, float("inf")], ids=["None", "inf"])
async def test_none_means_no_limit(seconds: float | None, jobs: Jobs) -> None:
    """seconds=None, or inf, waits as long as the work takes"""
    expect_job(0.0, 1000.0)
    expect_caller(0.0, 1000.0, timeline.RETURNED)
    work = jobs.make(1000.0, result="eventually")()
    try:
        got, error = await settle(timeouts.timeout_after(seconds, work))
    finally:
        work.close()
    assert error is None and got == "eventually" and same_time(now(), 1000.0), (
        f"timeout_after({seconds}, <1000 s of work>) {outcome(got, error)} at {secs(now())}; "
        f"expected 'eventually' at 1000.0 s: {seconds} means no limit")


def tracked_work(seconds: float, result: Any, cleanup: float, life: dict[str, float], *,
                 error: BaseException | None = None) -> Any:
    """A coroutine of `seconds` of work that returns `result` (or raises `error`); cancelled, it
    takes `cleanup` s to clean up. `life` records when it was cancelled and cleaned up."""
    async def work() -> Any:
        life["started"] = now()
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            life["cancelled"] = now()
            await asyncio.sleep(cleanup)
            life["cleaned up"] = now()
            raise
        if error is not None:
            raise error
        return result
    return work()


def resolved_later(seconds: float, result: Any, error: BaseException | None = None) -> Any:
    """A plain Future that gets `result` (or `error`) after `seconds`, unless cancelled first."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def resolve() -> None:
        if not future.done():
            future.set_result(result) if error is None else future.set_exception(error)
    loop.call_later(seconds, resolve)
    return future


@task1
@given(seconds=st.none() | durations(0.0, 3.0), work=durations(0.001, 3.0),
       cleanup=durations(0.0, 1.0), shape=st.sampled_from(["coroutine", "task", "Future"]),
       result=st.sampled_from([0, None, "", "done"]))
@example(seconds=1.333, work=2.0, cleanup=0.25, shape="coroutine", result="done")
@example(seconds=0.7, work=0.5, cleanup=0.25, shape="Future", result=0)
@example(seconds=0.25, work=1.0, cleanup=0.5, shape="task", result=None)
@example(seconds=0.0, work=1.0, cleanup=0.25, shape="task", result="done")
@example(seconds=0.0, work=0.5, cleanup=0.0, shape="Future", result="done")
@example(seconds=2.5, work=0.75, cleanup=0.0, shape="coroutine", result="")
@settings(max_examples=7)
def test_any_deadline_on_any_awaitable(seconds: float | None, work: float, cleanup: float,
                                       shape: str, result: Any) -> None:
    """for any deadline and awaitable, returns the result in time, or TimeoutError once the work is
    cancelled and cleaned up

    The deadline may be 0, and the awaitable a coroutine, a task or a Future. It returns the result
    if it comes in time, and nothing more happens at the deadline; otherwise it raises TimeoutError
    once the work was cancelled and cleaned up.
    """
    assume(seconds is None or abs(seconds - work) >= 0.001)
    life: dict[str, float] = {}

    async def scenario() -> tuple[Any, BaseException | None, float, dict[str, float], str,
                                  bool]:
        if shape == "Future":
            awaitable = resolved_later(work, result)
        else:
            awaitable = tracked_work(work, result, cleanup, life)
            if shape == "task":
                awaitable = asyncio.ensure_future(awaitable)
        got, error = await settle(timeouts.timeout_after(seconds, awaitable))
        state = ("cancelled" if awaitable.cancelled() else "done" if awaitable.done()
                 else "still running") if shape != "coroutine" else ""
        ended, seen = now(), dict(life)
        try:  # past the deadline: a call that is over leaves nothing behind to cancel its caller
            await asyncio.sleep(max(seconds or 0, work) + cleanup + 0.01 - now())
            cancelled_later = False
        except asyncio.CancelledError:
            cancelled_later = True
        return got, error, ended, seen, state, cancelled_later

    got, error, ended, seen, state, cancelled_later = run_virtual(scenario)
    given_as = (f"With seconds={seconds} and a {shape} that takes {secs(work)}"
                + (f" (and {secs(cleanup)} to clean up when cancelled)" if shape != "Future"
                   else "") + f" to return {result!r}")
    if seconds is None or work < seconds:
        expect_caller(0.0, work, timeline.RETURNED)
        assert error is None and got is result and same_time(ended, work), (
            f"{given_as}, timeout_after {outcome(got, error)} at {secs(ended)}; expected "
            f"{result!r} at {secs(work)}, when the work finished")
        assert not cancelled_later, (
            f"{given_as}, timeout_after returned {result!r} in time, at {secs(ended)}, yet its "
            f"caller was cancelled later, at the deadline {secs(seconds or 0)}: when the work "
            "finishes first, call off the deadline (a call_later handle is cancelled, "
            "asyncio.timeout does it on leaving the block)")
        return
    # With seconds=0 the work may be cancelled before it ever started: then it has no clean-up.
    unstarted = seconds == 0 and shape != "Future" and "started" not in seen
    cleaned = seconds + (0 if shape == "Future" or unstarted else cleanup)
    expect_caller(0.0, cleaned, timeline.FAILED)
    assert isinstance(error, TimeoutError), (
        f"{given_as}, timeout_after {outcome(got, error)}; expected TimeoutError at the "
        f"deadline, {secs(seconds)}")
    assert same_time(ended, cleaned), (
        f"{given_as}, TimeoutError reached the caller at {secs(ended)}; expected at "
        f"{secs(cleaned)}: the work is cancelled at the deadline, {secs(seconds)}, and the "
        "caller hears of it once the work's clean-up is over")
    if shape != "Future" and not unstarted:
        assert same_time(seen.get("cancelled"), seconds) and "cleaned up" in seen, (
            f"{given_as}, when TimeoutError was raised the work had been cancelled at "
            f"{seen.get('cancelled', 'no time')} and had {'' if 'cleaned up' in seen else 'not '}"
            f"finished its clean-up; expected it cancelled at {secs(seconds)} and cleaned up")
    if shape != "coroutine":
        assert state == "cancelled", (
            f"{given_as}, when TimeoutError was raised the {shape} was {state}; expected it "
            "cancelled and done")


@task1
@given(seconds=durations(0.001, 3.0), extra=durations(0.001, 2.0), cleanup=durations(0.0, 1.0),
       point=st.integers(1, 999), shape=st.sampled_from(["coroutine", "task", "Future"]))
@example(seconds=1.5, extra=1.0, cleanup=0.5, point=400, shape="task")
@example(seconds=0.75, extra=1.0, cleanup=0.5, point=200, shape="Future")
@example(seconds=1.0, extra=1.0, cleanup=0.5, point=800, shape="coroutine")
@settings(max_examples=6)
def test_a_cancelled_caller_at_any_moment(seconds: float, extra: float, cleanup: float,
                                          point: int, shape: str) -> None:
    """a caller cancelled at any moment, even while the timed-out work cleans up, hears a
    cancellation, never TimeoutError

    The moment may be before the deadline or while the timed-out work cleans up. Before the
    deadline, the work (a coroutine, a task, a Future) is cancelled at once and cleaned up first.
    """
    work = round(seconds + extra, 3)
    over = seconds + (0 if shape == "Future" else cleanup)
    moment = round(over * point / 1000, 3)
    assume(0 < moment < over and abs(moment - seconds) >= 0.001)
    life: dict[str, float] = {}

    async def scenario() -> tuple[Any, BaseException | None, float, dict[str, float], str]:
        if shape == "Future":
            awaitable = resolved_later(work, "done")
        else:
            awaitable = tracked_work(work, "done", cleanup, life)
            if shape == "task":
                awaitable = asyncio.ensure_future(awaitable)
        caller = asyncio.create_task(timeouts.timeout_after(seconds, awaitable))
        await asyncio.sleep(moment)
        caller.cancel()
        got, error = await settle(caller)
        state = ("cancelled" if awaitable.cancelled() else "done" if awaitable.done()
                 else "still running") if shape != "coroutine" else ""
        ended, seen = now(), dict(life)
        await asyncio.sleep(work + cleanup + 0.01 - now())  # let whatever was left end
        return got, error, ended, seen, state

    got, error, ended, seen, state = run_virtual(scenario)
    during = "before the deadline" if moment < seconds else "while the timed-out work cleaned up"
    given_as = (f"With seconds={seconds} and a {shape} that takes {secs(work)}"
                + (f" (and {secs(cleanup)} to clean up when cancelled)" if shape != "Future"
                   else "") + f", the caller was cancelled at {secs(moment)}, {during}")
    # The deadline came during the clean-up, and its own cancellation may cut it short.
    overlap = moment > seconds or (shape != "Future" and moment + cleanup > seconds - 0.001)
    done_at = moment + (0 if shape == "Future" else cleanup)
    if not overlap:
        expect_caller(moment, done_at, timeline.CANCELLED)
    assert isinstance(error, asyncio.CancelledError), (
        f"{given_as}; timeout_after {outcome(got, error)}. A cancellation of the caller stays a "
        "cancellation, even once the deadline has passed: only the deadline's own cancellation "
        "becomes TimeoutError")
    if overlap:
        latest = max(over, moment + (0 if shape == "Future" else cleanup))
        assert moment - CLOCK_RESOLUTION <= ended <= latest + CLOCK_RESOLUTION, (
            f"{given_as}; the cancellation reached the caller at {secs(ended)}; expected from "
            f"{secs(moment)} to {secs(latest)}, when the work's clean-up is over")
        return
    assert same_time(ended, done_at), (
        f"{given_as}; the cancellation reached the caller at {secs(ended)}; expected at "
        f"{secs(done_at)}: the work is cancelled at once, and the caller hears of it once the "
        "work's clean-up is over")
    if shape != "Future":
        assert same_time(seen.get("cancelled"), moment) and "cleaned up" in seen, (
            f"{given_as}; when the cancellation reached the caller the work had been cancelled "
            f"at {seen.get('cancelled', 'no time')} and had "
            f"{'' if 'cleaned up' in seen else 'not '}finished its clean-up; expected it "
            f"cancelled at {secs(moment)} and cleaned up")
    if shape != "coroutine":
        assert state == "cancelled", (
            f"{given_as}; when the cancellation reached the caller the {shape} was {state}; "
            "expected it cancelled and done: the caller's work is cancelled with it")


@task2
async def test_cancel_and_wait_waits_for_the_clean_up(jobs: Jobs) -> None:
    """cancels a running task, waits for its clean-up, and returns True"""
    expect_job(0.0, 1.0, timeline.CANCELLED, cleanup=0.5)
    work = asyncio.create_task(jobs.make(10.0, cleanup_s=0.5)())
    await asyncio.sleep(1.0)
    got = await timeouts.cancel_and_wait(work)
    assert got is True, f"cancel_and_wait on a running task returned {show(got)}; expected True"
    assert work.done() and jobs.records[0].cleaned_up and same_time(now(), 1.5), (
        f"cancel_and_wait returned at {secs(now())} with the task "
        f"{'done' if work.done() else 'still running'}: it should return after the task's "
        "0.5 s clean-up, at 1.5 s"
    )


@task2
async def test_cancel_and_wait_on_a_finished_task(jobs: Jobs) -> None:
    """returns False for a task that finished first, and leaves its result in place"""
    work = asyncio.create_task(jobs.make(0.5, result=42)())
    await asyncio.sleep(1.0)
    got = await timeouts.cancel_and_wait(work)
    assert got is False and work.result() == 42, (
        f"The task had finished with 42; cancel_and_wait returned {show(got)}. Expected False, "
        "with the task's result untouched"
    )


@task2
async def test_cancel_and_wait_on_a_task_that_ignores_it() -> None:
    """returns False for a task that ignores the cancellation and finishes"""

    async def stubborn() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            await asyncio.sleep(0.5)
        return "finished anyway"

    work = asyncio.create_task(stubborn())
    await asyncio.sleep(1.0)
    got = await timeouts.cancel_and_wait(work)
    assert got is False and work.result() == "finished anyway", (
        f"The task caught the cancellation and returned; cancel_and_wait returned {show(got)}: "
        "it did not end cancelled, so expect False"
    )


@task2
async def test_cancel_and_wait_lets_its_own_cancellation_through(jobs: Jobs) -> None:
    """if the caller is cancelled while waiting, that cancellation propagates"""
    expect_job(0.0, 1.0, timeline.CANCELLED, cleanup=5.0)  # cancelled once, cleaned up to its end
    work = asyncio.create_task(jobs.make(10.0, cleanup_s=5.0)())
    await asyncio.sleep(1.0)
    caller = asyncio.create_task(timeouts.cancel_and_wait(work))
    await asyncio.sleep(1.0)  # the work is now in its 5 s clean-up
    caller.cancel()
    result, error = await settle(caller)
    await asyncio.wait({work})
    assert isinstance(error, asyncio.CancelledError), (
        f"The caller of cancel_and_wait was itself cancelled while waiting; it "
        f"{outcome(result, error)}. A cancellation aimed at the caller must propagate"
    )


@task2
@given(work=durations(0.001, 3.0), cleanup=durations(0.0, 1.0), moment=durations(0.001, 3.0),
       fails=st.booleans(), kind=st.sampled_from(["task", "Future"]))
@example(work=2.0, cleanup=0.333, moment=1.25, fails=False, kind="task")
@example(work=1.0, cleanup=0.5, moment=1.5, fails=True, kind="task")
@settings(max_examples=6)
def test_cancel_and_wait_at_any_moment(work: float, cleanup: float, moment: float, fails: bool,
                                       kind: str) -> None:
    """at any moment: True once a running task has ended cancelled (its clean-up done), False for
    one that finished first

    It works on a Task or a Future alike, and leaves the result or error of one that finished first
    in place.
    """
    assume(abs(moment - work) >= 0.001)
    boom = ValueError("the work failed")
    life: dict[str, float] = {}

    async def scenario() -> tuple[Any, BaseException | None, float, str, Any]:
        if kind == "Future":
            target = resolved_later(work, "result", boom if fails else None)
        else:
            target = asyncio.ensure_future(
                tracked_work(work, "result", cleanup, life, error=boom if fails else None))
        await asyncio.sleep(moment)
        got, error = await settle(timeouts.cancel_and_wait(target))
        state = "cancelled" if target.cancelled() else "done" if target.done() else "running"
        left = (None if not target.done() or target.cancelled()
                else target.exception() or target.result())
        return got, error, now(), state, left

    got, error, ended, state, left = run_virtual(scenario)
    returned_at = moment + (cleanup if kind == "task" and moment < work else 0)
    expect_caller(moment, returned_at, timeline.RETURNED)
    ending = f"{'fail with ValueError' if fails else 'return'}"
    given_as = (f"With a {kind} that would {ending} after {secs(work)}"
                + (f" and takes {secs(cleanup)} to clean up when cancelled" if kind == "task"
                   else "") + f", cancel_and_wait called at {secs(moment)}")
    if moment < work:
        done_at = moment + (cleanup if kind == "task" else 0)
        assert (got, error, state) == (True, None, "cancelled"), (
            f"{given_as} {outcome(got, error)} and left the {kind} {state}; expected True, "
            "with the target cancelled and done")
        assert same_time(ended, done_at), (
            f"{given_as} returned at {secs(ended)}; expected at {secs(done_at)}, once the "
            f"{kind} is done" + (" (its clean-up included)" if kind == "task" else ""))
    else:
        assert (got, error, state) == (False, None, "done"), (
            f"{given_as} {outcome(got, error)} and left the {kind} {state}; it had finished "
            "first: expected False, without raising what the target raised")
        expected = boom if fails else "result"
        assert left is expected and same_time(ended, moment), (
            f"{given_as} returned at {secs(ended)} with the {kind}'s outcome now {left!r}; "
            f"expected at once, leaving its {'error' if fails else 'result'} {expected!r} "
            "in place")


@task3
async def test_worker_handles_items_in_order() -> None:
    """handles the items it is given in order, one at a time"""
    for item, start in zip("abc", [0.0, 1.5, 3.0], strict=True):  # each after the last's clean-up
        expect_item(item, start, start + 1.0)
    handler = Handler(a=1.0, b=1.0, c=1.0)
    worker = timeouts.Worker(handler)
    worker.start()
    for item in "abc":
        worker.put(item)
    await asyncio.sleep(10)
    await worker.stop()
    assert worker.handled == ["a", "b", "c"] and handler.peak == 1, (
        f"Items a, b, c were put; the worker handled {worker.handled} (started "
        f"{handler.started}), at most {handler.peak} at once. Expected all three, in order, "
        "one at a time"
    )
    assert handler.started == ["a", "b", "c"], f"started {handler.started}"


@task3
async def test_worker_survives_a_failing_item() -> None:
    """records an item whose handling raised, and goes on with the next"""
    expect_item("bad", 0.0, 1.0, timeline.FAILED)
    expect_item("b", 1.5, 2.5)
    handler = Handler(bad=1.0, b=1.0)
    worker = timeouts.Worker(handler)
    worker.start()
    worker.put("bad")
    worker.put("b")
    await asyncio.sleep(10)
    await worker.stop()
    assert isinstance(worker.failed, list) and all(
        isinstance(entry, tuple) and len(entry) == 2 for entry in worker.failed), (
        f"worker.failed is {show(worker.failed)}; expected a list of (item, error) pairs")
    failed = [(item, type(error).__name__) for item, error in worker.failed]
    assert worker.handled == ["b"] and failed == [("bad", "ValueError")], (
        f"handle('bad') raised ValueError; afterwards handled={worker.handled}, "
        f"failed={failed}. Expected handled=['b'], failed=[('bad', ValueError)]"
    )


ITEMS: list[Any] = [0, "", None, [1], {"k": 1}, "a"]  # falsy and unhashable items too


class DrawnHandler:
    """handle(item) for a drawn scenario: the n-th call takes durations[n] and fails when
    fails[n]; cancelled, it takes `cleanup` s to clean up. Each call is awaited as given style."""

    def __init__(self, durations: list[float], fails: list[bool], cleanup: float) -> None:
        self.durations, self.fails, self.cleanup = durations, fails, cleanup
        self.started: list[tuple[Any, float]] = []
        self.errors: list[BaseException] = []
        self.cancels = 0
        self.cleanups = 0
        self.in_flight = 0

    async def handle(self, item: Any) -> None:
        number = len(self.started)
        self.started.append((item, now()))
        self.in_flight += 1
        try:
            await asyncio.sleep(self.durations[number])
        except asyncio.CancelledError:
            self.cancels += 1
            await asyncio.sleep(self.cleanup)
            self.cleanups += 1
            raise
        finally:
            self.in_flight -= 1
        if self.fails[number]:
            self.errors.append(ValueError(f"item {number} failed"))
            raise self.errors[-1]


class _Handle:
    def __init__(self, handle: Callable[[Any], Any]) -> None:
        self._handle = handle

    def __call__(self, item: Any) -> Any:
        return self._handle(item)


HANDLE_STYLES: dict[str, Callable[[Callable[[Any], Any]], Callable[[Any], Any]]] = {
    "an async method": lambda h: h, "a functools.partial": lambda h: functools.partial(h),
    "a lambda returning a coroutine": lambda h: lambda item: h(item),
    "an object with __call__": _Handle}


def worker_model(arrivals: list[float], durations: list[float], stop_at: float,
                 grace: float) -> tuple[list[float], int | None, str]:
    """A single FIFO worker: when each item starts (before the stop), the index of the item in
    progress at the stop (or None), and what stop() returns."""
    starts: list[float] = []
    free = 0.0
    for arrival, duration in zip(arrivals, durations, strict=True):
        start = max(arrival, free)
        if start >= stop_at:
            break
        starts.append(start)
        free = round(start + duration, 6)
    busy = len(starts) - 1 if starts and free > stop_at else None
    verdict = "idle" if busy is None else "finished" if free < stop_at + grace else "cancelled"
    return starts, busy, verdict


@task4
async def test_stop_when_idle() -> None:
    """stops at once when no item is in progress, and says "idle\""""
    timeline.expect("caller", 1.0, kind=timeline.RETURNED)
    worker = timeouts.Worker(Handler())
    worker.start()
    await asyncio.sleep(1.0)
    got = await drawn(worker.stop())
    assert got == "idle" and same_time(now(), 1.0), (
        f"stop() of an idle worker returned {show(got)} after {secs(now() - 1.0)}; "
        "expected 'idle' at once"
    )


@task4
async def test_stop_lets_the_item_finish_within_grace() -> None:
    """gives the item in progress up to `grace` seconds to finish: "finished\""""
    expect_item("a", 0.0, 3.0)
    expect_caller(1.0, 3.5, timeline.RETURNED)  # stop(), when the item is done
    timeline.expect("caller", 3.5, kind=timeline.RETURNED)  # a second stop(), at once
    handler = Handler(a=3.0)
    worker = timeouts.Worker(handler, grace=5.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await drawn(worker.stop())
    assert got == "finished" and worker.handled == ["a"], (
        f"stop() at 1 s, with 2 s of item 'a' left and grace=5: it returned {show(got)}, "
        f"handled={worker.handled}. Expected 'finished' and ['a']"
    )
    assert same_time(now(), 3.5), (
        f"stop() returned at {secs(now())}; item 'a' ends (with its clean-up) at 3.5 s, and stop "
        "should return then, not wait out the whole grace"
    )
    assert handler.cancels == 0, "the item was cancelled although it finished within the grace"
    again = await drawn(worker.stop())
    assert (again, worker.handled) == ("idle", ["a"]), (
        f"a second stop() returned {show(again)} with handled={worker.handled}; it should be "
        "harmless: 'idle', and 'a' counted once"
    )


@task4
async def test_stop_cancels_the_item_after_grace() -> None:
    """cancels the item that outlives the grace, once, and waits for its clean-up"""
    expect_item("a", 0.0, 3.0, timeline.CANCELLED)  # stopped at 1 s, with 2 s of grace
    expect_caller(1.0, 3.5, timeline.RETURNED)
    handler = Handler(a=10.0)
    worker = timeouts.Worker(handler, grace=2.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await drawn(worker.stop())
    assert got == "cancelled" and worker.handled == [], (
        f"stop() at 1 s with grace=2, item 'a' needing 9 s more: it returned {show(got)}, "
        f"handled={worker.handled}. Expected 'cancelled', and 'a' not handled"
    )
    assert (handler.cancels, handler.cleanups) == (1, ["a"]), (
        f"The item saw {handler.cancels} cancellation(s) and its clean-up completed "
        f"{len(handler.cleanups)} time(s); expected one cancellation and one complete clean-up "
        "(a second cancel interrupts the clean-up)"
    )
    assert same_time(now(), 3.5), (
        f"stop() returned at {secs(now())}: 1 s + 2 s of grace + 0.5 s of clean-up is 3.5 s"
    )


@task4
async def test_stop_cancels_an_item_past_its_grace_even_if_it_ignores_it() -> None:
    """an item still running past the grace is cancelled once: "cancelled", even if it ignores the
    cancellation and returns"""
    expect_caller(1.0, 3.5, timeline.RETURNED)  # 2 s of grace, then 0.5 s to end
    cancels: list[float] = []

    async def stubborn(item: str) -> str:
        try:
            await asyncio.sleep(10.0)
        except asyncio.CancelledError:
            cancels.append(now())
            await asyncio.sleep(0.5)
        return "returned anyway"

    worker = timeouts.Worker(stubborn, grace=2.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await drawn(worker.stop())
    assert same_time(cancels, [3.0]), (
        f"stop() at 1 s with grace=2, item 'a' needing 9 s more: the item was cancelled at "
        f"{listing(secs(t) for t in cancels)}; expected once, at 3.0 s, when the grace is over"
    )
    assert got == "cancelled", (
        f"stop() at 1 s with grace=2: item 'a' was still running when the grace ended at 3.0 s, "
        f"so it was cancelled; it caught the cancellation and returned at 3.5 s. stop() "
        f"returned {show(got)}; expected 'cancelled': the item did not finish within the grace, "
        "whatever it did with its cancellation"
    )
    assert same_time(now(), 3.5), (
        f"stop() returned at {secs(now())}; the item ends (after its cancellation) at 3.5 s"
    )


@task4
@pytest.mark.parametrize("moment", [2.0, 6.25], ids=["during the grace", "during the clean-up"])
async def test_a_cancelled_stop_propagates(moment: float) -> None:
    """a cancellation of stop(), during the grace or while the cancelled item cleans up,
    propagates"""
    handler = Handler(a=10.0)
    worker = timeouts.Worker(handler, grace=5.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(moment - 1.0)  # the grace ends at 6 s; the item's clean-up takes 0.5 s
    during = "while it gave item 'a' its grace" if moment < 6 else (
        "after the grace, while the cancelled item 'a' cleaned up")
    stopping.cancel()
    result, error = await settle(stopping)
    # The item may be left running: that is the canceller's business, ended here.
    left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in left:
        task.cancel()
    if left:
        await asyncio.wait(left)
    assert isinstance(error, asyncio.CancelledError), (
        f"stop() was cancelled at {secs(moment)}, {during}; it {outcome(result, error)}. A "
        "cancellation of stop() itself must propagate: do not catch CancelledError (or "
        "BaseException) around a wait; the item's own cancellation is in the task, not raised "
        "at you, if you wait with asyncio.wait"
    )


@task4
async def test_default_grace_is_five_seconds() -> None:
    """by default the item in progress gets 5 s of grace"""
    expect_item("a", 0.0, 6.0, timeline.CANCELLED)
    expect_caller(1.0, 6.5, timeline.RETURNED)
    worker = timeouts.Worker(Handler(a=60.0))
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await drawn(worker.stop())
    assert got == "cancelled" and same_time(now(), 6.5), (
        f"With the default grace, stop() at 1 s returned {show(got)} at {secs(now())}; expected "
        "'cancelled' at 6.5 s (5 s of grace, then 0.5 s of clean-up)"
    )


@task4
async def test_stop_drops_queued_items() -> None:
    """does not start the items still queued"""
    expect_item("a", 0.0, 2.0)  # and no other item
    expect_caller(1.0, 2.5, timeline.RETURNED)
    handler = Handler(a=2.0, b=1.0, c=1.0)
    worker = timeouts.Worker(handler)
    worker.start()
    for item in "abc":
        worker.put(item)
    await asyncio.sleep(1.0)
    await drawn(worker.stop())
    assert handler.started == ["a"] and worker.handled == ["a"], (
        f"stop() came while 'a' ran and 'b', 'c' waited; the worker started {handler.started} "
        f"and handled {worker.handled}. Expected only 'a'"
    )


@task4
@given(count=st.integers(1, 4), data=st.data(), stop_at=durations(0.001, 6.0),
       grace=durations(0.0, 2.0), cleanup=durations(0.0, 0.5),
       style=st.sampled_from(sorted(HANDLE_STYLES)))
@example(count=3, data={"items": [0, None, 0], "gaps": [0.0, 0.0, 0.25],
                        "lengths": [1.0, 0.5, 1.0], "fails": [0, 1, 0]},
         stop_at=1.5, grace=0.333, cleanup=0.25, style="a functools.partial")
@example(count=2, data={"items": [[1], "a"], "gaps": [0.0, 0.0], "lengths": [1.0, 1.0],
                        "fails": [1, 0]},
         stop_at=0.5, grace=1.0, cleanup=0.25, style="an async method")
@example(count=2, data={"items": ["a", None], "gaps": [0.0, 0.25], "lengths": [1.0, 1.0],
                        "fails": [0, 0]},
         stop_at=0.75, grace=0.0, cleanup=0.25, style="an object with __call__")
@settings(max_examples=6)
def test_any_stop_of_any_worker(count: int, data: Any, stop_at: float, grace: float,
                                cleanup: float, style: str) -> None:
    """for any items and any stop (any moment, any grace): handled in order one at a time; the right
    verdict, figures and end

    The items are put at any times (ties too), and may be 0, None, [1] or one object twice; the stop
    comes at any moment, with any grace.
    """
    if isinstance(data, dict):  # a pinned example
        items, gaps, lengths, fails = data["items"], data["gaps"], data["lengths"], data["fails"]
    else:
        items = data.draw(st.lists(st.sampled_from(ITEMS), min_size=count, max_size=count))
        gaps = data.draw(st.lists(st.just(0.0) | durations(0.001, 1.0), min_size=count,
                                  max_size=count))
        lengths = data.draw(st.lists(durations(0.001, 1.5), min_size=count, max_size=count))
        fails = data.draw(st.lists(st.booleans(), min_size=count, max_size=count))
    arrivals = [round(sum(gaps[:n + 1]), 6) for n in range(len(items))]
    starts, busy, verdict = worker_model(arrivals, lengths, stop_at, grace)
    edges = [*arrivals, *(round(s + d, 6) for s, d in zip(starts, lengths, strict=False))]
    assume(all(abs(stop_at - e) >= 0.001 for e in edges))
    end_of_busy = edges[len(arrivals) + busy] if busy is not None else None
    assume(end_of_busy is None or abs(end_of_busy - stop_at - grace) >= 0.001)
    handler = DrawnHandler(lengths, [bool(f) for f in fails], cleanup)

    async def scenario() -> tuple[Any, float, list[Any], list[Any], set[Any]]:
        worker = timeouts.Worker(HANDLE_STYLES[style](handler.handle), grace=grace)
        worker.start()
        for item, arrival in zip(items, arrivals, strict=True):
            if arrival >= stop_at:
                break
            await asyncio.sleep(arrival - now())
            worker.put(item)
        await asyncio.sleep(stop_at - now())
        got = await worker.stop()
        left = running_tasks()
        return got, now(), list(worker.handled), list(worker.failed), left

    got, ended, handled, failed, left = run_virtual(scenario)
    put = [(item, secs(a)) for item, a in zip(items, arrivals, strict=True) if a < stop_at]
    given_as = (f"With items {listing(f'{i!r} put at {a}' for i, a in put)} taking "
                f"{listing(secs(d) for d in lengths[:len(put)])}"
                + (f", failing: {[n for n, f in enumerate(fails) if f]}" if any(fails) else "")
                + f", handle as {style}, grace={grace} and stop() at {secs(stop_at)}")
    seen = [at for _, at in handler.started]
    assert [i for i, _ in handler.started] == items[:len(starts)] and same_time(seen, starts), (
        f"{given_as}: the worker started {handler.started}; expected "
        f"{list(zip(items, starts, strict=False))}: each item in the order put, the moment it "
        "is put or the item before it is done, and none once stop() was called")
    assert got == verdict, f"{given_as}: stop() returned {show(got)}; expected {verdict!r}"
    finished = {"idle": stop_at, "finished": end_of_busy,
                "cancelled": stop_at + grace + cleanup}[verdict]
    assert same_time(ended, finished), (
        f"{given_as}: stop() returned at {secs(ended)}; expected at {secs(finished or 0)}"
        + {"idle": ", at once", "finished": ", the moment the item in progress finished",
           "cancelled": f": {secs(grace)} of grace, then one cancel and {secs(cleanup)} of "
                        "clean-up"}[verdict])
    assert not left and handler.in_flight == 0, (
        f"{given_as}: when stop() returned, {len(left)} task(s) were still there {left} and "
        f"{handler.in_flight} item(s) in progress; when stop returns, no task of the worker is "
        "left")
    once = verdict == "cancelled"
    assert (handler.cancels, handler.cleanups) == ((1, 1) if once else (0, 0)), (
        f"{given_as}: the item in progress saw {handler.cancels} cancellation(s) and finished "
        f"{handler.cleanups} clean-up(s); expected {'one of each' if once else 'none'}")
    done = len(starts) - (1 if verdict == "cancelled" else 0)
    ok = [items[n] for n in range(done) if not fails[n]]
    errors = iter(handler.errors)
    bad = [(items[n], next(errors)) for n in range(done) if fails[n]]
    assert handled == ok and len(failed) == len(bad) and all(
        f[0] == b[0] and f[1] is b[1] for f, b in zip(failed, bad, strict=False)), (
        f"{given_as}: handled={show(handled)}, failed={show(failed)}; expected handled="
        f"{show(ok)} and failed={show(bad)}: each item that ended, in order, under the one list "
        "that says how it ended; an item cancelled by stop() is in neither")


@task5
async def test_async_with_starts_and_stops() -> None:
    """`async with Worker(handle) as worker:` starts it, and stops it on leaving"""
    expect_item("a", 0.0, 1.0)
    expect_item("b", 1.5, 3.0, timeline.CANCELLED)  # the block is left at 2 s, grace 1 s
    handler = Handler(a=1.0, b=5.0)
    async with timeouts.Worker(handler, grace=1.0) as worker:
        worker.put("a")
        worker.put("b")
        await asyncio.sleep(2.0)
    assert worker.handled == ["a"] and handler.cancels == 1, (
        f"Leaving the block at 2 s (grace 1 s) should have stopped the worker, cancelling 'b': "
        f"handled={worker.handled}, cancellations={handler.cancels}"
    )
    assert same_time(now(), 3.5), (
        f"the block ended at {secs(now())}; leaving at 2 s, plus 1 s of grace and 0.5 s of "
        "clean-up for 'b', is 3.5 s"
    )


@task5
async def test_async_with_lets_an_error_in_the_block_propagate() -> None:
    """an exception raised in the `async with` block still stops the worker, then propagates"""
    expect_item("a", 0.0, 1.0)
    expect_caller(0.0, 1.5, timeline.FAILED)
    handler = Handler(a=1.0)
    boom = KeyError("raised in the block")
    worker = None

    async def block() -> None:
        nonlocal worker
        async with timeouts.Worker(handler, grace=2.0) as worker:
            worker.put("a")
            await asyncio.sleep(0.5)
            raise boom

    result, error = await settle(block())
    assert error is boom, (
        f"The block raised {boom!r} at 0.5 s; `async with Worker(...)` {outcome(result, error)}. "
        "Leaving the block stops the worker; it must not swallow the block's exception"
    )
    assert worker is not None and worker.handled == ["a"] and same_time(now(), 1.5), (
        f"after the block raised at 0.5 s, handled={worker and worker.handled} at "
        f"{secs(now())}; expected ['a'] at 1.5 s, when 'a' ends (with its 0.5 s clean-up): "
        "the worker is stopped, with its grace, on the way out"
    )


# --- cancel once: a second cancel cuts the clean-up short (tasks 1, 2, 4 and 5) --------------

class Tidy:
    """Work (local to this spec) whose clean-up, once cancelled, takes `cleanup` s in 4 awaits; it
    records every cancellation it receives, and whether a later one cut the clean-up short. Its
    timeline is the row "work": running, each cancellation, the clean-up."""

    def __init__(self, seconds: float, cleanup: float) -> None:
        self.seconds, self.cleanup = seconds, cleanup
        self.cancels: list[float] = []
        self.cut_after: float | None = None
        self.cleaned_up_at: float | None = None

    async def run(self, *_: Any) -> str:
        started = now()
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancels.append(now())
            timeline.record_span("work", started, now())
            timeline.record_mark("work", now(), timeline.CANCELLED)
            begun = now()
            try:
                for _ in range(4):
                    await asyncio.sleep(self.cleanup / 4)
            except asyncio.CancelledError:
                self.cancels.append(now())
                timeline.record_mark("work", now(), timeline.CANCELLED)
                self.cut_after = now() - begun
                raise
            finally:
                timeline.record_span("work", begun, now(), timeline.CLEANUP)
            self.cleaned_up_at = now()
            raise
        timeline.record_span("work", started, now())
        return "done"

    def fault(self) -> str | None:
        if len(self.cancels) > 1:
            return (f"the work was cancelled {len(self.cancels)} times (at "
                    f"{listing(secs(t) for t in self.cancels)}), and its {secs(self.cleanup)} "
                    f"clean-up was cut short after {secs(self.cut_after)}")
        if not self.cancels:
            return "the work was never cancelled"
        if self.cleaned_up_at is None:
            return f"the work's {secs(self.cleanup)} clean-up never ended"
        return None


def expect_work(cancel_at: float, cleanup: float) -> None:
    """State what the contract expects of Tidy work: it runs from 0 s, is cancelled once at
    `cancel_at`, and cleans up for `cleanup` s, to its end."""
    timeline.expect("work", 0.0, cancel_at)
    timeline.expect("work", cancel_at, kind=timeline.CANCELLED)
    timeline.expect("work", cancel_at, cancel_at + cleanup, timeline.CLEANUP)


async def _timeout_at_the_deadline(work: Tidy) -> float:
    await settle(timeouts.timeout_after(1.0, work.run()))
    return 1.0


async def _timeout_of_a_task(work: Tidy) -> float:
    await settle(timeouts.timeout_after(1.0, asyncio.ensure_future(work.run())))
    return 1.0


async def _timeout_with_the_caller_cancelled(work: Tidy) -> float:
    caller = asyncio.ensure_future(timeouts.timeout_after(5.0, work.run()))
    await asyncio.sleep(1.0)
    caller.cancel()
    await settle(caller)
    return 1.0


async def _cancel_and_wait(work: Tidy) -> float:
    task = asyncio.ensure_future(work.run())
    await asyncio.sleep(1.0)
    await settle(timeouts.cancel_and_wait(task))
    return 1.0


async def _stop_after_the_grace(work: Tidy) -> float:
    worker = timeouts.Worker(work.run, grace=0.5)
    worker.start()
    worker.put("a")
    await asyncio.sleep(0.5)
    await settle(worker.stop())
    return 1.0


async def _leaving_async_with(work: Tidy) -> float:
    async with timeouts.Worker(work.run, grace=0.25) as worker:
        worker.put("a")
        await asyncio.sleep(0.75)
    return 1.0


# What the caller of each case awaits (in `settle`): from when, and how it ends.
CANCEL_ONCE_CALLER = {
    "timeout_after at the deadline": (0.0, timeline.FAILED),
    "timeout_after of a task": (0.0, timeline.FAILED),
    "timeout_after, the caller cancelled": (1.0, timeline.CANCELLED),
    "cancel_and_wait": (1.0, timeline.RETURNED),
    "Worker.stop after the grace": (0.5, timeline.RETURNED),
}

CANCEL_ONCE = {
    "timeout_after at the deadline": (1, _timeout_at_the_deadline),
    "timeout_after of a task": (1, _timeout_of_a_task),
    "timeout_after, the caller cancelled": (1, _timeout_with_the_caller_cancelled),
    "cancel_and_wait": (2, _cancel_and_wait),
    "Worker.stop after the grace": (4, _stop_after_the_grace),
    "leaving async with Worker": (5, _leaving_async_with),
}


@pytest.mark.parametrize("case", [pytest.param(case, marks=pytest.mark.task(task), id=case)
                                  for case, (task, _) in CANCEL_ONCE.items()])
@pytest.mark.parametrize("cleanup", [0.4, 2.0], ids=["0.4 s clean-up", "2 s clean-up"])
def test_the_work_is_cancelled_once_and_its_clean_up_runs_to_its_end(case: str,
                                                                     cleanup: float) -> None:
    """the work is cancelled once and its clean-up runs to its end

    The work is cancelled once, and its clean-up (several awaits, up to 2 s) runs to its end.

    A second cancel, after asyncio's own or while waiting, lands in the clean-up and cuts it short.
    """
    _, scenario = CANCEL_ONCE[case]
    work = Tidy(10.0, cleanup)

    async def main() -> tuple[float, float]:
        cancel_at = await scenario(work)
        ended = now()
        await asyncio.sleep(max(0.0, 12.0 + cleanup - now()))  # let any leftover end
        return cancel_at, ended

    cancel_at, ended = run_virtual(main)
    expect_work(cancel_at, cleanup)
    if case in CANCEL_ONCE_CALLER:
        waits_from, how = CANCEL_ONCE_CALLER[case]
        expect_caller(waits_from, cancel_at + cleanup, how)
    given_as = (f"With work of 10 s whose clean-up takes {secs(cleanup)} in 4 awaits, "
                f"{case} (cancelling it at {secs(cancel_at)})")
    fault = work.fault()
    assert fault is None, (
        f"{given_as}: {fault}. Cancel the work once, then only wait for it: a second cancel "
        "interrupts its clean-up (asyncio.timeout, a TaskGroup or wait_for cancel it already; "
        "do not cancel it again, nor again and again while you wait)")
    assert same_time(ended, cancel_at + cleanup), (
        f"{given_as}: the call returned at {secs(ended)}; expected at "
        f"{secs(cancel_at + cleanup)}, when the clean-up ended")


# --- Worker: any awaitable from handle, inf grace, a stop during a stop (tasks 4 and 6) -----

class _Awaitable:
    """An awaitable that is neither a coroutine nor a Future: an object with ``__await__``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __await__(self) -> Any:
        yield from asyncio.sleep(self.seconds).__await__()


@task6
@pytest.mark.parametrize("kind", ["a Future", "an object with __await__"])
async def test_handle_may_return_any_awaitable(kind: str) -> None:
    """handle may return any awaitable: a Future, an object with __await__"""
    expect_caller(3.5, 4.5, timeline.RETURNED)  # stop(): 1 s of grace, then item 10.0 cancelled
    futures: list[asyncio.Future[Any]] = []

    def handle(item: float) -> Any:
        if kind == "an object with __await__":
            return _Awaitable(item)
        future = asyncio.get_running_loop().create_future()
        futures.append(future)
        asyncio.get_running_loop().call_later(
            item, lambda: future.done() or future.set_result(None))
        return future

    worker = timeouts.Worker(handle, grace=1.0)
    worker.start()
    worker.put(1.0)
    worker.put(2.0)
    worker.put(10.0)
    await asyncio.sleep(3.5)
    got, error = await settle(worker.stop())
    assert (got, error, worker.handled) == ("cancelled", None, [1.0, 2.0]), (
        f"handle returns {kind} that takes item seconds; items 1.0, 2.0 and 10.0 were put at "
        f"0 s and stop() (grace 1 s) called at 3.5 s. It {outcome(got, error)}, with "
        f"handled={show(worker.handled)}; expected 'cancelled' with [1.0, 2.0]: handle is any "
        "callable that returns an awaitable (asyncio.ensure_future takes them all)")
    assert same_time(now(), 4.5), f"stop() returned at {secs(now())}; expected at 4.5 s"
    if futures:
        assert futures[-1].cancelled(), (
            "the Future of item 10.0 was still in progress after the grace, and stop() left it "
            f"{'done' if futures[-1].done() else 'pending'}; expected it cancelled")


async def _made(make: Callable[[], Any]) -> Any:
    return make()


@task6
@pytest.mark.budget(2000)
async def test_an_infinite_grace_waits_for_the_item() -> None:
    """grace=inf lets the item in progress run to its end, however long: "finished\""""
    expect_item("a", 0.0, 600.0)
    timeline.expect("caller", 0.0, kind=timeline.RETURNED)  # Worker(...)
    expect_caller(1.0, 600.5, timeline.RETURNED)  # stop()
    handler = Handler(a=600.0)
    worker, error = await settle(_made(lambda: timeouts.Worker(handler, grace=float("inf"))))
    assert error is None, (
        f"Worker(handle, grace=inf) {outcome(worker, error)}; expected a worker: an infinite "
        "grace is a valid one, meaning no limit")
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await drawn(worker.stop())
    assert (got, worker.handled, handler.cancels) == ("finished", ["a"], 0), (
        f"With grace=inf, stop() at 1 s while item 'a' needed 599 s more returned {show(got)}, "
        f"handled={worker.handled}, after {handler.cancels} cancellation(s); expected "
        "'finished', ['a'] and none: an infinite grace never runs out")
    assert same_time(now(), 600.5), (
        f"stop() returned at {secs(now())}; the item ends (with its 0.5 s clean-up) at 600.5 s")


@task4
@pytest.mark.parametrize("verdict", ["finished", "cancelled"])
async def test_a_stop_during_a_stop_does_nothing(verdict: str) -> None:
    """a second stop() while the first waits returns "idle" at once; the item counts once

    A second stop(), called while the first still waits for the item in progress, returns
    "idle" at once, and the item is counted once.
    """
    if verdict == "finished":
        expect_item("a", 0.0, 2.0)
    else:
        expect_item("a", 0.0, 3.0, timeline.CANCELLED)  # the first stop's grace, from 1 s
    timeline.expect("caller", 1.5, kind=timeline.RETURNED)  # the second stop, at once
    expect_caller(1.5, 2.5 if verdict == "finished" else 3.5, timeline.RETURNED)
    handler = Handler(a=2.0 if verdict == "finished" else 10.0)
    worker = timeouts.Worker(handler, grace=2.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    first = asyncio.ensure_future(worker.stop())
    await asyncio.sleep(0.5)
    second, error = await settle(worker.stop())
    at = now()
    got, first_error = await settle(first)
    assert (second, error) == ("idle", None) and same_time(at, 1.5), (
        f"stop() was called at 1.0 s with item 'a' in progress (grace 2 s); a second stop() at "
        f"1.5 s, while the first waited, {outcome(second, error)} at {secs(at)}; expected "
        "'idle' at once: the first stop has taken charge of the item (forget it before you "
        "await)")
    handled = ["a"] if verdict == "finished" else []
    assert (got, first_error, worker.handled) == (verdict, None, handled), (
        f"the first stop() {outcome(got, first_error)}, handled={show(worker.handled)}; "
        f"expected {verdict!r} with {handled}: the item counted once, by the stop in charge")


# --- task 7: reject bad input and misuse -----------------------------------------------------

@task7
@pytest.mark.parametrize(("seconds", "error", "named"), [
    (-1, ValueError, "-1"), (-0.25, ValueError, "-0.25"), ("5", TypeError, "'5'"),
    (True, TypeError, "True"), (float("nan"), ValueError, ("seconds", "nan"))])
async def test_rejects_bad_seconds(seconds: object, error: type[Exception],
                                   named: str | tuple[str, ...], jobs: Jobs) -> None:
    """rejects negative, NaN or non-numeric seconds, and closes the coroutine that will not run

    NaN is no deadline (no moment is past it): ValueError naming `seconds`.
    """
    work = jobs.make(1.0)()
    try:
        await rejects(error, lambda: timeouts.timeout_after(seconds, work),
                      shown=f"timeout_after({seconds!r}, work)", named=named)
        state = inspect.getcoroutinestate(work)
        assert state == inspect.CORO_CLOSED, (
            f"After rejecting seconds={seconds!r}, the work coroutine is {state}: it will never "
            "run, so close it (work.close()), or Python warns it was never awaited"
        )
    finally:
        work.close()


@task7
@pytest.mark.parametrize("given", ["an async function, not called", "42", "None"])
async def test_timeout_after_wants_an_awaitable(given: str, jobs: Jobs) -> None:
    """rejects what cannot be awaited, showing it, before any wait

    An async function not called, a number, None: the TypeError shows the value.
    `timeout_after(1, work)` where `timeout_after(1, work())` was meant is the usual slip.
    """
    job = jobs.make(1.0)
    value = {"an async function, not called": job, "42": 42, "None": None}[given]
    start = now()
    raised = await rejects(TypeError, lambda: timeouts.timeout_after(1.0, value),
                           shown=f"timeout_after(1.0, {given})", named=())
    assert shows(str(raised), value), (
        f"Called timeout_after(1.0, {given}). It raised TypeError({str(raised)!r}); the message "
        f"should show what it was given: {value!r}")
    assert same_time(now(), start) and not jobs.records[0].calls, (
        f"timeout_after(1.0, {given}) raised after {secs(now() - start)} of loop time"
        f"{' and called the job' if jobs.records[0].calls else ''}; it should refuse at once")


@task7
async def test_cancel_and_wait_wants_a_task(jobs: Jobs) -> None:
    """rejects something that is not a task (a coroutine, an async function) with TypeError"""
    work = jobs.make(1.0)()
    try:
        await rejects(TypeError, lambda: timeouts.cancel_and_wait(work),
                      shown="cancel_and_wait(<coroutine>)", named=())
    finally:
        work.close()
    job = jobs.make(1.0)
    await rejects(TypeError, lambda: timeouts.cancel_and_wait(job),
                  shown="cancel_and_wait(<an async function, not called>)", named=())
    assert not jobs.records[1].calls, (
        "cancel_and_wait(<an async function>) called the function: it takes a task, and "
        "should refuse anything else as it is")


@task7
@pytest.mark.parametrize(("args", "error", "named"), [
    ((42,), TypeError, "42"), ((None,), TypeError, "None"),
    ((Handler(), -1), ValueError, "-1"), ((Handler(), "5"), TypeError, "'5'"),
    ((Handler(), None), TypeError, "None"), ((Handler(), True), TypeError, "True"),
    ((Handler(), float("nan")), ValueError, ("grace", "nan")),
    (("a coroutine",), TypeError, "handle"), (("a Future",), TypeError, "handle")])
async def test_worker_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                            named: str | tuple[str, ...]) -> None:
    """rejects a handle that is not callable, or a bad grace, naming the bad value

    A bool is no number of seconds: a grace of True is a bad grace; NaN is none either. A
    coroutine object or a Future is no handle: a handle is called, once per item.
    """
    handle, *grace = args
    if handle == "a coroutine":
        handle = Handler(a=1.0)("a")
        handle.close()  # never run: only its type matters
    elif handle == "a Future":
        handle = asyncio.get_running_loop().create_future()
    kwargs = {"grace": grace[0]} if grace else {}
    await rejects(error, lambda: timeouts.Worker(handle, **kwargs),
                  shown=f"Worker({handle!r}{f', grace={grace[0]!r}' if grace else ''})",
                  named=named)


@task7
async def test_worker_lifecycle_errors() -> None:
    """refuses put before start, a second start, and stop before start: RuntimeError"""
    worker = timeouts.Worker(Handler())
    await rejects(RuntimeError, lambda: worker.put("a"), shown="put() before start()", named=())
    await rejects(RuntimeError, worker.stop, shown="stop() before start()", named=())
    worker.start()
    await rejects(RuntimeError, worker.start, shown="start() twice", named=())
    await worker.stop()
    await rejects(RuntimeError, lambda: worker.put("a"), shown="put('a') after stop()", named=())
    await rejects(RuntimeError, worker.start, shown="start() after stop()", named=())
    again = await worker.stop()
    assert again == "idle", f"a second stop() should be harmless and say 'idle'; it said {again!r}"
