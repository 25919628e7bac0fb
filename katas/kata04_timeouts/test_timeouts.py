"""Behaviour spec of kata 04: timeouts and cancellation. Times are loop time."""

import asyncio
import inspect
from typing import Any

import pytest

from specs import Jobs, implementation, now, outcome, rejects, secs, settle, show

timeouts = implementation("kata04_timeouts", "timeouts")

task1 = pytest.mark.task(1, "a deadline for any awaitable (timeout_after)")
task2 = pytest.mark.task(2, "cancel a task and wait for it (cancel_and_wait)")
task3 = pytest.mark.task(3, "a worker that handles items in the background (Worker)")
task4 = pytest.mark.task(4, "stop gracefully (Worker.stop)")
task5 = pytest.mark.task(5, "a worker as an async context manager")


class Handler:
    """A worker's handle(): each item sleeps its duration; clean-up takes 0.5 s."""

    def __init__(self, **durations: float) -> None:
        self.durations = durations
        self.started: list[str] = []
        self.cancels = 0
        self.cleanups: list[str] = []
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, item: str) -> None:
        self.started.append(item)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.durations[item])
            if item.startswith("bad"):
                raise ValueError(item)
        except asyncio.CancelledError:
            self.cancels += 1
            raise
        finally:
            self.in_flight -= 1
            await asyncio.sleep(0.5)
            self.cleanups.append(item)


@task1
async def test_result_in_time(jobs: Jobs) -> None:
    """returns the result when the work finishes before the deadline"""
    got = await timeouts.timeout_after(2.0, jobs.make(1.0, result="done")())
    assert got == "done", f"timeout_after(2.0, <1 s of work>) returned {show(got)}; expected 'done'"
    assert now() == pytest.approx(1.0), f"it took {secs(now())}; the work takes 1.0 s"


@task1
@pytest.mark.parametrize("seconds", [2.0, 0], ids=["2 s", "0 s"])
async def test_timeout_at_the_deadline(seconds: float, jobs: Jobs) -> None:
    """raises TimeoutError exactly at the deadline"""
    result, error = await settle(timeouts.timeout_after(seconds, jobs.make(10.0)()))
    assert isinstance(error, TimeoutError), (
        f"timeout_after({seconds}, <10 s of work>) {outcome(result, error)}; expected TimeoutError"
    )
    assert now() == pytest.approx(seconds), (
        f"TimeoutError came after {secs(now())} of loop time; the deadline was {secs(seconds)}"
    )


@task1
async def test_timeout_cancels_and_cleans_up_first(jobs: Jobs) -> None:
    """by the time TimeoutError arrives, the work was cancelled and its clean-up has run"""
    await settle(timeouts.timeout_after(2.0, jobs.make(10.0, cleanup_s=0.5)()))
    work = jobs.records[0]
    assert work.cancelled and work.cleaned_up, (
        f"When TimeoutError reached the caller the work was "
        f"{'cancelled' if work.cancelled else 'not cancelled'} and its clean-up "
        f"{'had run' if work.cleaned_up else 'had not finished'}: the timed-out work must be "
        "cancelled, and the caller must hear of it only after the clean-up"
    )
    assert now() == pytest.approx(2.5), f"the clean-up takes 0.5 s after 2.0 s; took {secs(now())}"


@task1
async def test_timeout_of_a_task(jobs: Jobs) -> None:
    """works with a task as the awaitable: the task is cancelled at the deadline"""
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
    result, raised = await settle(timeouts.timeout_after(5.0, jobs.make(1.0, error=error)()))
    assert raised is error, (
        f"The work raised {error!r} after 1 s (deadline 5 s); timeout_after "
        f"{outcome(result, raised)}. Expected that very exception"
    )
    assert now() == pytest.approx(1.0), f"the error surfaced after {secs(now())}, not at 1.0 s"


@task1
async def test_cancelling_the_caller_is_not_a_timeout(jobs: Jobs) -> None:
    """a cancellation of the caller propagates as cancellation, never as TimeoutError"""
    caller = asyncio.create_task(timeouts.timeout_after(5.0, jobs.make(10.0, cleanup_s=0.5)()))
    await asyncio.sleep(1.0)
    caller.cancel()
    result, error = await settle(caller)
    assert isinstance(error, asyncio.CancelledError), (
        f"The caller was cancelled at 1.0 s (deadline 5.0 s); timeout_after "
        f"{outcome(result, error)}. A cancellation from outside is not a timeout: let it propagate"
    )
    assert jobs.records[0].cleaned_up, "the work was not cleaned up when the caller was cancelled"


@task1
@pytest.mark.budget(2000)
async def test_none_means_no_limit(jobs: Jobs) -> None:
    """seconds=None waits as long as the work takes"""
    got = await timeouts.timeout_after(None, jobs.make(1000.0, result="eventually")())
    assert got == "eventually", f"timeout_after(None, ...) returned {show(got)}"


@task1
@pytest.mark.parametrize(("seconds", "error", "named"), [
    (-1, ValueError, "-1"), ("5", TypeError, "'5'"), (True, TypeError, "True")])
async def test_rejects_bad_seconds(seconds: object, error: type[Exception], named: str,
                                   jobs: Jobs) -> None:
    """rejects negative or non-numeric seconds, and closes the coroutine that will not run"""
    work = jobs.make(1.0)()
    try:
        await rejects(error, lambda: timeouts.timeout_after(seconds, work),
                      shown=f"timeout_after({seconds!r}, work)", named=("seconds", named))
        state = inspect.getcoroutinestate(work)
        assert state == inspect.CORO_CLOSED, (
            f"After rejecting seconds={seconds!r}, the work coroutine is {state}: it will never "
            "run, so close it (work.close()), or Python warns it was never awaited"
        )
    finally:
        work.close()


@task2
async def test_cancel_and_wait_waits_for_the_clean_up(jobs: Jobs) -> None:
    """cancels a running task, waits for its clean-up, and returns True"""
    work = asyncio.create_task(jobs.make(10.0, cleanup_s=0.5)())
    await asyncio.sleep(1.0)
    got = await timeouts.cancel_and_wait(work)
    assert got is True, f"cancel_and_wait on a running task returned {show(got)}; expected True"
    assert work.done() and jobs.records[0].cleaned_up and now() == pytest.approx(1.5), (
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
async def test_cancel_and_wait_wants_a_task(jobs: Jobs) -> None:
    """rejects something that is not a task with TypeError"""
    work = jobs.make(1.0)()
    try:
        await rejects(TypeError, lambda: timeouts.cancel_and_wait(work),
                      shown="cancel_and_wait(<coroutine>)", named="coroutine")
    finally:
        work.close()


@task3
async def test_worker_handles_items_in_order() -> None:
    """handles the items it is given in order, one at a time"""
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
    handler = Handler(bad=1.0, b=1.0)
    worker = timeouts.Worker(handler)
    worker.start()
    worker.put("bad")
    worker.put("b")
    await asyncio.sleep(10)
    await worker.stop()
    failed = [(item, type(error).__name__) for item, error in worker.failed]
    assert worker.handled == ["b"] and failed == [("bad", "ValueError")], (
        f"handle('bad') raised ValueError; afterwards handled={worker.handled}, "
        f"failed={failed}. Expected handled=['b'], failed=[('bad', ValueError)]"
    )


@task3
async def test_worker_lifecycle_errors() -> None:
    """refuses put before start, a second start, and stop before start: RuntimeError"""
    worker = timeouts.Worker(Handler())
    await rejects(RuntimeError, lambda: worker.put("a"), shown="put() before start()",
                  named="start")
    await rejects(RuntimeError, worker.stop, shown="stop() before start()", named="started")
    worker.start()
    await rejects(RuntimeError, worker.start, shown="start() twice", named="started")
    await worker.stop()
    await rejects(RuntimeError, lambda: worker.put("a"), shown="put('a') after stop()",
                  named="'a'")
    again = await worker.stop()
    assert again == "idle", f"a second stop() should be harmless and say 'idle'; it said {again!r}"


@task3
@pytest.mark.parametrize(("args", "error", "named"), [
    ((42,), TypeError, ("handle", "42")), ((None,), TypeError, ("handle", "None")),
    ((Handler(), -1), ValueError, ("grace", "-1")), ((Handler(), "5"), TypeError, ("grace", "'5'")),
    ((Handler(), None), TypeError, ("grace", "None"))])
async def test_worker_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                            named: tuple[str, str]) -> None:
    """rejects a handle that is not callable, or a bad grace, naming it"""
    handle, *grace = args
    kwargs = {"grace": grace[0]} if grace else {}
    await rejects(error, lambda: timeouts.Worker(handle, **kwargs),
                  shown=f"Worker({handle!r}{f', grace={grace[0]!r}' if grace else ''})",
                  named=named)


@task4
async def test_stop_when_idle() -> None:
    """stops at once when no item is in progress, and says "idle\""""
    worker = timeouts.Worker(Handler())
    worker.start()
    await asyncio.sleep(1.0)
    got = await worker.stop()
    assert got == "idle" and now() == 1.0, (
        f"stop() of an idle worker returned {show(got)} after {secs(now() - 1.0)}; "
        "expected 'idle' at once"
    )


@task4
async def test_stop_lets_the_item_finish_within_grace() -> None:
    """gives the item in progress up to `grace` seconds to finish: "finished\""""
    handler = Handler(a=3.0)
    worker = timeouts.Worker(handler, grace=5.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await worker.stop()
    assert got == "finished" and worker.handled == ["a"], (
        f"stop() at 1 s, with 2 s of item 'a' left and grace=5: it returned {show(got)}, "
        f"handled={worker.handled}. Expected 'finished' and ['a']"
    )
    assert now() == pytest.approx(3.5), (
        f"stop() returned at {secs(now())}; item 'a' ends (with its clean-up) at 3.5 s, and stop "
        "should return then, not wait out the whole grace"
    )
    assert handler.cancels == 0, "the item was cancelled although it finished within the grace"
    again = await worker.stop()
    assert (again, worker.handled) == ("idle", ["a"]), (
        f"a second stop() returned {show(again)} with handled={worker.handled}; it should be "
        "harmless: 'idle', and 'a' counted once"
    )


@task4
async def test_stop_cancels_the_item_after_grace() -> None:
    """cancels the item that outlives the grace, once, and waits for its clean-up"""
    handler = Handler(a=10.0)
    worker = timeouts.Worker(handler, grace=2.0)
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await worker.stop()
    assert got == "cancelled" and worker.handled == [], (
        f"stop() at 1 s with grace=2, item 'a' needing 9 s more: it returned {show(got)}, "
        f"handled={worker.handled}. Expected 'cancelled', and 'a' not handled"
    )
    assert (handler.cancels, handler.cleanups) == (1, ["a"]), (
        f"The item saw {handler.cancels} cancellation(s) and its clean-up completed "
        f"{len(handler.cleanups)} time(s); expected one cancellation and one complete clean-up "
        "(a second cancel interrupts the clean-up)"
    )
    assert now() == pytest.approx(3.5), (
        f"stop() returned at {secs(now())}: 1 s + 2 s of grace + 0.5 s of clean-up is 3.5 s"
    )


@task4
async def test_default_grace_is_five_seconds() -> None:
    """by default the item in progress gets 5 s of grace"""
    worker = timeouts.Worker(Handler(a=60.0))
    worker.start()
    worker.put("a")
    await asyncio.sleep(1.0)
    got = await worker.stop()
    assert (got, now()) == ("cancelled", pytest.approx(6.5)), (
        f"With the default grace, stop() at 1 s returned {show(got)} at {secs(now())}; expected "
        "'cancelled' at 6.5 s (5 s of grace, then 0.5 s of clean-up)"
    )


@task4
async def test_stop_drops_queued_items() -> None:
    """does not start the items still queued"""
    handler = Handler(a=2.0, b=1.0, c=1.0)
    worker = timeouts.Worker(handler)
    worker.start()
    for item in "abc":
        worker.put(item)
    await asyncio.sleep(1.0)
    await worker.stop()
    assert handler.started == ["a"] and worker.handled == ["a"], (
        f"stop() came while 'a' ran and 'b', 'c' waited; the worker started {handler.started} "
        f"and handled {worker.handled}. Expected only 'a'"
    )


@task5
async def test_async_with_starts_and_stops() -> None:
    """`async with Worker(handle) as worker:` starts it, and stops it on leaving"""
    handler = Handler(a=1.0, b=5.0)
    async with timeouts.Worker(handler, grace=1.0) as worker:
        worker.put("a")
        worker.put("b")
        await asyncio.sleep(2.0)
    assert worker.handled == ["a"] and handler.cancels == 1, (
        f"Leaving the block at 2 s (grace 1 s) should have stopped the worker, cancelling 'b': "
        f"handled={worker.handled}, cancellations={handler.cancels}"
    )
    assert now() == pytest.approx(3.5), (
        f"the block ended at {secs(now())}; leaving at 2 s, plus 1 s of grace and 0.5 s of "
        "clean-up for 'b', is 3.5 s"
    )
