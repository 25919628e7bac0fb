"""Behaviour spec of kata 05: bounded concurrency (run_tasks). Times are loop time."""

import asyncio
import functools
import heapq
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, same_time
from specs.properties import CALLABLE_STYLES, durations, iterable_shapes, run_virtual, shaped
from specs.timeline import expect_caller

pool = implementation("kata05_semaphore", "pool")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)

OFF_GRID = 0.0005  # half a millisecond: a failure or a cancel that ties with no other event


class _Awaiting:
    """An awaitable that is neither a coroutine nor a Future (it has ``__await__``)."""

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self._awaitable = awaitable

    def __await__(self) -> Any:
        return self._awaitable.__await__()

    def __repr__(self) -> str:
        return "<awaitable object>"


# Ways to hand over a job: the kit's callables, and one whose call returns an awaitable
# object that is not a coroutine (create_task() would refuse it; await takes it).
STYLES: dict[str, Callable[[Callable[[], Awaitable[Any]]], Callable[[], Any]]] = {
    **CALLABLE_STYLES,
    "awaitable-returning function": lambda job: lambda: _Awaiting(job()),
}


def expect_runs(runs: list[tuple[float, float]], how: dict[int, str] | None = None) -> None:
    """State what the contract expects of jobs 0, 1, ...: job n runs from ``runs[n][0]`` to
    ``runs[n][1]``, ending as ``how[n]`` says (failed, cancelled) if it says."""
    for index, (start, end) in enumerate(runs):
        timeline.expect(f"job{index}", start, end)
        if how and index in how:
            timeline.expect(f"job{index}", end, kind=how[index])

@task1
@pytest.mark.parametrize("limit", [1, 3, 10])
async def test_never_more_than_limit_in_flight(limit: int, jobs: Jobs) -> None:
    """never runs more than `limit` jobs at once, and uses all `limit` slots"""
    expect_runs([(n // limit, n // limit + 1.0) for n in range(10)])  # `limit` by `limit`
    await pool.run_tasks(jobs.many([1.0] * 10), limit)
    assert jobs.peak == limit, (
        f"run_tasks(10 one-second jobs, limit={limit}) had {jobs.peak} in flight at its peak; "
        f"expected exactly {limit}: never more, and no slot left idle"
    )
    expected = -(-10 // limit)
    assert same_time(now(), expected), (
        f"10 one-second jobs, {limit} at a time, took {secs(now())}; expected {secs(expected)}"
    )


@task1
async def test_results_in_input_order(jobs: Jobs) -> None:
    """returns the results in input order, whatever order the jobs finish in"""
    got = await pool.run_tasks(jobs.many([3.0, 1.0, 2.0, 0.5]), 2)
    assert got == [0, 1, 2, 3], f"run_tasks returned {show(got)}; expected [0, 1, 2, 3]"


@task1
@pytest.mark.parametrize("limit", [1, 2])
async def test_a_job_listed_twice_keeps_each_calls_result(limit: int, jobs: Jobs) -> None:
    """a job listed twice is called twice, and each place holds what its own call returned

    Results are kept per position in the input, never per job (nor per id(job)).
    """
    calls: list[float] = []

    async def stamp(called: float) -> str:
        await asyncio.sleep(1.0)
        return f"called at {secs(called)}"

    def clock() -> Awaitable[str]:  # what it returns tells its calls apart: when it was called
        calls.append(now())
        return stamp(now())

    slow = jobs.make(2.0, "slow")
    got, error = await settle(pool.run_tasks([clock, slow, clock], limit))
    expected = [f"called at {secs(t)}" for t in calls[:1]] + ["slow"] + [
        f"called at {secs(t)}" for t in calls[1:2]]
    assert error is None and len(calls) == 2 and got == expected, (
        f"run_tasks([clock, slow, clock], {limit}), where each call of clock returns the loop "
        f"time it was called at, called clock at {listing(secs(t) for t in calls) or 'no time'} "
        f"and {outcome(got, error)}; expected {show(expected)}: the same job listed twice is "
        "called twice, and each place in the results holds what its own call returned (keep "
        "the results by position, not in a dict keyed by the job)")


@task1
async def test_no_jobs(jobs: Jobs) -> None:
    """an empty input gives an empty list"""
    got = await pool.run_tasks([], 4)
    assert got == [], f"run_tasks([], 4) returned {show(got)}; expected []"


@task1
async def test_next_job_starts_when_a_slot_frees(jobs: Jobs) -> None:
    """starts the next job the moment a slot frees, not in fixed batches of `limit`"""
    expect_runs([(0.0, 4.0), (0.0, 1.0), (1.0, 2.0), (2.0, 3.0)])
    await pool.run_tasks(jobs.many([4.0, 1.0, 1.0, 1.0]), 2)
    starts = [r.starts[0] if r.starts else None for r in jobs.records]
    assert same_time(starts, [0.0, 0.0, 1.0, 2.0]), (
        f"Jobs of 4, 1, 1 and 1 s with limit=2 started at {starts}; expected [0.0, 0.0, 1.0, "
        "2.0]: job2 takes job1's slot when it frees at 1 s, job3 at 2 s. Batches of 2 would "
        "wait for the 4 s job"
    )
    assert same_time(now(), 4.0), f"the pool took {secs(now())}; expected 4.0 s"


@task1
async def test_jobs_start_in_input_order(jobs: Jobs) -> None:
    """starts the jobs in input order"""
    expect_runs([(n // 2, n // 2 + 1.0) for n in range(6)])
    await pool.run_tasks(jobs.many([1.0] * 6), 2)
    first_starts = [r.starts[0] for r in jobs.records]
    assert first_starts == sorted(first_starts), (
        f"jobs 0 to 5 started at {first_starts}; they should start in input order"
    )


@task1
async def test_jobs_are_called_only_when_they_get_a_slot(jobs: Jobs) -> None:
    """calls a job (creating its coroutine) only when it gets a slot"""
    expect_runs([(0.0, 1.0), (0.0, 1.0), (1.0, 2.0), (1.0, 2.0)])  # called as they start
    await pool.run_tasks(jobs.many([1.0] * 4), 2)
    calls = [r.calls for r in jobs.records]
    assert same_time(calls, [[0.0], [0.0], [1.0], [1.0]]), (
        f"With limit=2, jobs 0 to 3 were called at {calls}; expected [[0.0], [0.0], [1.0], "
        "[1.0]]: calling a job creates its coroutine and whatever it holds; do it when the "
        "job gets its slot, not all up front (and call each job once)"
    )


def pool_starts(seconds: list[float], limit: int) -> list[float]:
    """The model: when each job starts in a work-conserving pool of `limit` slots that hands
    slots out in input order (a job starts the moment the earliest slot frees)."""
    free = [0.0] * min(limit, len(seconds))
    starts = []
    for duration in seconds:
        start = heapq.heappop(free)
        starts.append(start)
        heapq.heappush(free, round(start + duration, 6))
    return starts


@task1
@given(seconds=st.lists(durations(), min_size=1, max_size=7), limit=st.integers(1, 5),
       twice=st.none() | st.integers(0, 6), shape=iterable_shapes(),
       style=st.sampled_from(sorted(STYLES)))
@example(seconds=[0.333, 2.0, 1.0], limit=2, twice=None, shape="list", style="function")
@example(seconds=[1.0, 1.0, 0.5], limit=2, twice=0, shape="generator", style="partial")
@example(seconds=[1.0, 0.5, 2.0], limit=2, twice=None, shape="tuple",
         style="awaitable-returning function")
@settings(max_examples=20)
def test_every_job_starts_the_moment_a_slot_frees(seconds: list[float], limit: int,
                                                  twice: int | None, shape: str,
                                                  style: str) -> None:
    """for any jobs and limit, each job is called and starts the moment a slot frees, in input
    order; results in input order

    The jobs may be a generator, list a job twice, and be any callable returning any awaitable.
    """
    jobs = Jobs()
    made = [STYLES[style](job) for job in jobs.many(seconds)]
    order = [*range(len(made)), *([twice] if twice is not None and twice < len(made) else [])]

    async def scenario() -> tuple[list[Any], BaseException | None, float]:
        got, error = await settle(pool.run_tasks(shaped([made[i] for i in order], shape), limit))
        return got, error, now()

    got, error, ended = run_virtual(scenario)
    listed = [seconds[i] for i in order]
    lives: dict[int, int] = {}  # a job listed twice lives twice: its second life is "job0 #2"
    for begin, index, length in sorted(zip(pool_starts(listed, limit), order, listed,
                                           strict=True)):
        lives[index] = lives.get(index, 0) + 1
        row = f"job{index}" + (f" #{lives[index]}" if lives[index] > 1 else "")
        timeline.expect(row, begin, begin + length)
    given_as = (f"With jobs of {listing(secs(s) for s in listed)} (a {shape} of {style}s"
                + (f", job {twice} listed again at the end" if len(order) > len(made) else "")
                + f") and limit={limit}")
    assert error is None, (
        f"{given_as}, run_tasks {outcome(got, error)}; expected the results"
        + ("; a job may return any awaitable (a coroutine, a Future, an object with "
           "__await__): await what it returns, or hand it to asyncio.ensure_future "
           "(create_task takes coroutines only)" if "awaitable" in style else ""))
    assert got == order, (
        f"{given_as}, run_tasks returned {show(got)}; expected each job's result, in input "
        f"order: {order}")
    expected = pool_starts(listed, limit)
    for index, record in enumerate(jobs.records):
        due = sorted(start for position, start in zip(order, expected, strict=True)
                     if position == index)
        assert same_time(record.calls, due), (
            f"{given_as}, job {index} was called at {record.calls or 'no time'}; expected "
            f"at {listing(secs(t) for t in due)}: once per listing, when it gets a slot")
        assert same_time(record.starts, due), (
            f"{given_as}, job {index} started at {record.starts}; a work-conserving pool "
            f"starts it at {listing(secs(t) for t in due)}, the moment a slot frees (slots "
            "go to the jobs in input order)")
    assert jobs.peak <= limit, f"{given_as}, {jobs.peak} jobs were in flight at once"
    finish = max(s + d for s, d in zip(expected, listed, strict=True))
    assert same_time(ended, finish), (
        f"{given_as}, run_tasks returned at {secs(ended)}; the last job finished at "
        f"{secs(finish)}: return when every job is done, no later")


@task2
async def test_return_exceptions_keeps_them_in_place(jobs: Jobs) -> None:
    """with return_exceptions=True, each job's exception takes its place among the results"""
    boom = ValueError("boom")
    work = [jobs.make(1.0, "a"), jobs.make(0.5, error=boom), jobs.make(2.0, "c")]
    got = await pool.run_tasks(work, 2, return_exceptions=True)
    assert got == ["a", boom, "c"] and got[1] is boom, (
        f"run_tasks(..., return_exceptions=True) with the middle job failing returned "
        f"{show(got)}; expected ['a', {boom!r}, 'c'], the job's own exception in its place"
    )


@task2
async def test_a_failed_job_frees_its_slot(jobs: Jobs) -> None:
    """a job that fails frees its slot for the next one"""
    expect_runs([(0.0, 1.0), (1.0, 2.0)], {0: timeline.FAILED})
    work = [jobs.make(1.0, error=ValueError("x")), jobs.make(1.0, "b")]
    got = await pool.run_tasks(work, 1, return_exceptions=True)
    assert got[1] == "b" and same_time(jobs.records[1].starts, [1.0]), (
        f"With limit=1, job0 failed at 1 s; job1 started at {jobs.records[1].starts} and the "
        f"results were {show(got)}. The failed job's slot must go to job1 at 1.0 s"
    )


@task3
async def test_first_failure_stops_the_pool(jobs: Jobs) -> None:
    """by default the first failure propagates, no further job starts, the rest are cancelled"""
    expect_runs([(0.0, 1.0), (0.0, 1.0)], {0: timeline.CANCELLED, 1: timeline.FAILED})
    timeline.expect("job0", 1.0, 1.5, timeline.CLEANUP)  # and no other job starts
    expect_caller(0.0, 1.5, timeline.FAILED)
    boom = ValueError("boom")
    work = [jobs.make(3.0, cleanup_s=0.5), jobs.make(1.0, error=boom), jobs.make(1.0),
            jobs.make(1.0)]
    result, error = await settle(pool.run_tasks(work, 2))
    assert error is boom, (
        f"job1 raised {boom!r} at 1 s; run_tasks {outcome(result, error)}. Expected that very "
        "ValueError (not wrapped in an ExceptionGroup)"
    )
    started = [r.name for r in jobs.records if r.started]
    assert started == ["job0", "job1"], (
        f"After job1 failed, {listing(started)} had started; no job should start after a "
        "failure"
    )
    assert jobs.records[0].cancelled and not jobs.still_running, (
        "job0 was still running when the error reached the caller: cancel the jobs in flight "
        "and wait for their clean-up"
    )
    assert same_time(now(), 1.5), (
        f"the error reached the caller at {secs(now())}; expected 1.5 s (job1 fails at 1 s, "
        "job0's clean-up takes 0.5 s)"
    )


@task3
@pytest.mark.parametrize("return_exceptions", [False, True])
async def test_cancelling_the_pool_cancels_the_jobs(return_exceptions: bool, jobs: Jobs) -> None:
    """cancelling run_tasks cancels the jobs in flight and waits for their clean-up; no other job
    starts

    The cancellation is never a result.
    """
    for row in ("job0", "job1"):  # and no other job starts
        timeline.expect(row, 0.0, 1.0)
        timeline.expect(row, 1.0, kind=timeline.CANCELLED)
        timeline.expect(row, 1.0, 1.5, timeline.CLEANUP)
    expect_caller(1.0, 1.5, timeline.CANCELLED)  # the caller's wait, from its cancel
    work = [jobs.make(5.0, cleanup_s=0.5) for _ in range(4)]
    caller = asyncio.create_task(pool.run_tasks(work, 2, return_exceptions=return_exceptions))
    await asyncio.sleep(1.0)
    caller.cancel("the caller's reason")
    result, error = await settle(caller)
    assert isinstance(error, asyncio.CancelledError), (
        f"run_tasks(..., return_exceptions={return_exceptions}) was cancelled at 1 s and "
        f"{outcome(result, error)}; the cancellation must reach the caller, never be a result"
    )
    assert error.args == ("the caller's reason",), (
        f"run_tasks(..., return_exceptions={return_exceptions}) was cancelled at 1 s with "
        f"task.cancel(\"the caller's reason\"); the caller got {error!r}. Let the caller's own "
        "cancellation propagate (re-raise it), its message kept, rather than raise a new "
        "CancelledError: that one is for a job that ended cancelled by itself"
    )
    assert not jobs.still_running and same_time(now(), 1.5), (
        f"The cancellation reached the caller at {secs(now())} while "
        f"{listing(jobs.still_running)} still ran; cancel the jobs in flight and wait for "
        "their clean-up (0.5 s) before you return: expected at 1.5 s, with none running"
    )
    await asyncio.sleep(10)
    started = [r.name for r in jobs.records if r.started]
    assert started == ["job0", "job1"], (
        f"After the cancel, {listing(started)} had started; expected only job0 and job1"
    )


@task4
@pytest.mark.parametrize(("return_exceptions", "limit"), [(False, 2), (True, 1)])
async def test_a_job_that_ends_cancelled_is_never_a_result(return_exceptions: bool, limit: int,
                                                           jobs: Jobs) -> None:
    """a job that ends cancelled is never a result: run_tasks raises CancelledError, with no job
    left running

    A job ends cancelled when it raises CancelledError itself: whatever return_exceptions says, it
    is no exception to collect.
    """
    if limit == 2:  # job1 ends cancelled at 0.5 s, and job0, in flight, is cancelled then
        ends, how = 0.5, {0: timeline.CANCELLED, 1: timeline.CANCELLED}
    else:  # one at a time: job1 starts when job0 is done, and ends cancelled at 1.5 s
        ends, how = 1.5, {1: timeline.CANCELLED}
    expect_runs([(0.0, min(ends, 1.0)), (ends - 0.5, ends)], how)  # and job2 never starts
    timeline.expect("job1", ends, kind=timeline.FAILED)  # it raised, CancelledError
    expect_caller(0.0, ends, timeline.CANCELLED)
    work = [jobs.make(1.0, "a"), jobs.make(0.5, error=asyncio.CancelledError()),
            jobs.make(2.0, "c")]
    result, error = await settle(pool.run_tasks(work, limit,
                                                return_exceptions=return_exceptions))
    assert isinstance(error, asyncio.CancelledError), (
        f"job1 raised CancelledError itself, 0.5 s after it started; run_tasks(..., limit={limit}, "
        f"return_exceptions={return_exceptions}) {outcome(result, error)}. A cancellation is "
        "never a result: "
        "CancelledError is a BaseException, not an Exception to collect, and run_tasks must "
        "raise it")
    assert not jobs.still_running, (
        f"The CancelledError reached the caller at {secs(now())} while "
        f"{listing(jobs.still_running)} still ran; no job may be left running")


@task4
@pytest.mark.parametrize("return_exceptions", [False, True])
async def test_a_job_that_ends_cancelled_stops_the_pool_then(return_exceptions: bool,
                                                             jobs: Jobs) -> None:
    """a job that ends cancelled stops the pool at that moment, as a failure does

    A job that ends cancelled stops the pool at that moment, as a failure does: no job starts
    after it, the jobs in flight are cancelled then, and CancelledError comes after their
    clean-up.
    """
    expect_runs([(0.0, 1.0), (0.0, 1.0)], {0: timeline.CANCELLED, 1: timeline.CANCELLED})
    timeline.expect("job1", 1.0, kind=timeline.FAILED)  # it raised, CancelledError
    timeline.expect("job0", 1.0, 1.5, timeline.CLEANUP)  # and no other job starts
    expect_caller(0.0, 1.5, timeline.CANCELLED)
    work = [jobs.make(3.0, "a", cleanup_s=0.5), jobs.make(1.0, error=asyncio.CancelledError()),
            jobs.make(1.0, "c"), jobs.make(1.0, "d")]
    result, error = await settle(pool.run_tasks(work, 2, return_exceptions=return_exceptions))
    started = [r.name for r in jobs.records if r.started]
    said = (f"job1 ended cancelled at 1 s (it raised CancelledError itself) while job0 (3 s, a "
            f"clean-up of 0.5 s) ran, limit=2, return_exceptions={return_exceptions}; run_tasks "
            f"{outcome(result, error)} at {secs(now())}")
    assert isinstance(error, asyncio.CancelledError), (
        f"{said}. Expected CancelledError: a job that ends cancelled is never a result")
    assert started == ["job0", "job1"], (
        f"{said}, and {listing(started)} had started. A job that ends cancelled stops the pool "
        "at that moment, as a failure does: no job starts after it")
    assert jobs.records[0].cancelled and same_time(now(), 1.5) and not jobs.still_running, (
        f"{said}; job0 was {jobs.records[0].fate()}. Expected job0 cancelled at 1.0 s and "
        "CancelledError at 1.5 s, once its clean-up is over: a job ending cancelled stops the "
        "pool at once, not when the other jobs are done")


@task2
@given(seconds=st.lists(st.sampled_from([0.25, 1.0, 2.5, 12.0, 30.0]) | durations(0.001, 3.0),
                        min_size=8, max_size=24),
       failing=st.sets(st.integers(0, 23), max_size=12), limit=st.integers(1, 4),
       style=st.sampled_from(sorted(STYLES)))
@example(seconds=[30.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 12.0, 1.0, 1.0, 1.0], failing={1, 2, 3},
         limit=2, style="function")
@example(seconds=[1.0] * 6 + [30.0, 12.0] + [1.0] * 8, failing={0, 1, 2, 3, 4, 5}, limit=3,
         style="partial")
@settings(max_examples=8)
def test_the_bound_holds_for_a_whole_run(seconds: list[float], failing: set[int], limit: int,
                                         style: str) -> None:
    """over a long run with failures and slow jobs, never more than `limit` jobs in flight

    Over a long run, after any number of failures and however slow a job, never more than
    `limit` jobs in flight, and every slot kept busy (return_exceptions=True).

    A slot is held by its job until the job ends, however it ends, and only then goes to the
    next job: a bound that holds only in the first moments is no bound.
    """
    jobs = Jobs()
    fails = sorted(i for i in failing if i < len(seconds))
    errors = {i: ValueError(f"job {i} failed") for i in fails}
    made = [STYLES[style](jobs.make(s, i, error=errors.get(i))) for i, s in enumerate(seconds)]

    async def scenario() -> tuple[Any, BaseException | None]:
        return await settle(pool.run_tasks(made, limit, return_exceptions=True))

    got, error = run_virtual(scenario)
    expect_runs([(begin, begin + length) for begin, length
                 in zip(pool_starts(seconds, limit), seconds, strict=True)],
                dict.fromkeys(fails, timeline.FAILED))
    given_as = (f"With {len(seconds)} jobs of {listing(secs(s) for s in seconds)} ({style}s), "
                f"limit={limit}, return_exceptions=True and job(s) {listing(fails)} failing")
    expected = [errors.get(i, i) for i in range(len(seconds))]
    assert error is None and got == expected, (
        f"{given_as}, run_tasks {outcome(got, error)}; expected {show(expected)}, each failure "
        "in its place")
    events = sorted([(round(r.finished_at if r.finished_at is not None else float("inf"), 6), 0,
                      r.name) for r in jobs.records if r.started]
                    + [(round(t, 6), 1, r.name) for r in jobs.records for t in r.starts])
    flight: set[str] = set()
    for when, starting, name in events:
        if not starting:
            flight.discard(name)
            continue
        flight.add(name)
        failed_before = [f"job{i}" for i in fails
                         if (jobs.records[i].finished_at or float("inf")) <= when]
        assert len(flight) <= limit, (
            f"{given_as}, {len(flight)} jobs were in flight at {secs(when)} "
            f"({listing(sorted(flight))}), after {len(failed_before)} failure(s); the bound "
            f"holds for the whole run: at most {limit}. A slot is given back once, when its "
            "job ends, however it ends, and not before (a slow job keeps its slot)")
    due = pool_starts(seconds, limit)
    for index, record in enumerate(jobs.records):
        assert same_time(record.starts, [due[index]]), (
            f"{given_as}, job{index} started at {listing(secs(t) for t in record.starts)}; "
            f"expected at {secs(due[index])}: every slot stays busy for the whole run, each "
            "going to the next job the moment its job ends")


def _seen(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


class Crew:
    """Jobs that take a set time each, one failing perhaps (with an error, or by raising
    CancelledError), and a clean-up (that may raise) when cancelled; records when each started
    and was cancelled (every cancellation it got), and which still run."""

    def __init__(self, seconds: list[float], *, fails: int | None = None,
                 cleanup: float = 0.0, cleanup_raises: bool = False,
                 error: BaseException | None = None) -> None:
        self.seconds, self.fails = seconds, fails
        self.cleanup, self.cleanup_raises = cleanup, cleanup_raises
        self.starts: list[list[float]] = [[] for _ in seconds]
        self.cancelled: dict[int, float] = {}  # job index: when it was first cancelled
        self.cancels: dict[int, list[float]] = {}  # job index: every cancellation it got
        self.cleaned: dict[int, float] = {}  # job index: when its clean-up ran to its end
        self.running: set[int] = set()  # started, clean-up not finished
        self.error = error or ValueError("this job failed")

    def jobs(self) -> list[Callable[[], Awaitable[Any]]]:
        return [functools.partial(self.run, index) for index in range(len(self.seconds))]

    async def run(self, index: int) -> int:
        self.starts[index].append(now())
        self.running.add(index)
        try:
            await asyncio.sleep(self.seconds[index])
        except asyncio.CancelledError:
            self.cancelled.setdefault(index, now())
            self.cancels.setdefault(index, []).append(now())
            if self.cleanup:
                try:
                    await asyncio.sleep(self.cleanup)
                except asyncio.CancelledError:  # cancelled again: the clean-up is cut short
                    self.cancels[index].append(now())
                    raise
            self.cleaned[index] = now()
            if self.cleanup_raises:
                # What becomes of an error raised in a clean-up, the contract does not say:
                # the spec marks it seen, whatever task it ends.
                running = asyncio.current_task()
                if running is not None:
                    running.add_done_callback(_seen)
                raise RuntimeError(f"job {index}'s clean-up failed") from None
            raise
        finally:
            self.running.discard(index)
        if index == self.fails:
            raise self.error
        return index

    def cancelled_again(self) -> list[str]:
        """The jobs cancelled more than once, for a message: ``job0 at 1.0 s and 11.0 s``."""
        return [f"job{i} at {listing(secs(t) for t in times)}"
                for i, times in sorted(self.cancels.items()) if len(times) > 1]


FAULTS = ["a job fails", "a job ends cancelled", "the caller cancels"]
LONG_CLEANUP = 30.0  # longer than any grace period or timeout a pool might wait with


@task4
@given(seconds=st.lists(durations(0.001, 3.0), min_size=1, max_size=6), limit=st.integers(1, 3),
       fault=st.sampled_from(FAULTS), at=st.integers(0, 5), moment=durations(0.0, 6.0),
       cleanup=st.sampled_from([0.0, LONG_CLEANUP]) | durations(0.001, 3.0),
       raises=st.booleans(), return_exceptions=st.booleans())
@example(seconds=[3.0, 1.0, 1.0, 1.0], limit=2, fault="a job fails", at=1, moment=0.0,
         cleanup=2.5, raises=True, return_exceptions=False)
@example(seconds=[2.0, 1.0, 2.0, 2.0], limit=2, fault="the caller cancels", at=0, moment=1.333,
         cleanup=1.5, raises=False, return_exceptions=True)
@example(seconds=[3.0, 1.0, 1.0, 1.0], limit=2, fault="a job ends cancelled", at=1, moment=0.0,
         cleanup=0.5, raises=False, return_exceptions=True)
@example(seconds=[1.0, 2.0, 1.0, 1.0], limit=3, fault="a job ends cancelled", at=0, moment=0.0,
         cleanup=0.0, raises=False, return_exceptions=False)
@example(seconds=[3.0, 1.0, 1.0], limit=2, fault="a job fails", at=1, moment=0.0,
         cleanup=LONG_CLEANUP, raises=False, return_exceptions=False)
@example(seconds=[2.0, 2.0, 2.0], limit=2, fault="the caller cancels", at=0, moment=1.0,
         cleanup=LONG_CLEANUP, raises=False, return_exceptions=True)
@example(seconds=[3.0, 1.0, 1.0], limit=2, fault="a job ends cancelled", at=1, moment=0.0,
         cleanup=LONG_CLEANUP, raises=False, return_exceptions=False)
@settings(max_examples=8)
def test_a_failure_or_a_cancel_at_any_moment_stops_every_job(
        seconds: list[float], limit: int, fault: str, at: int, moment: float,
        cleanup: float, raises: bool, return_exceptions: bool) -> None:
    """a failure or a cancel at any moment cancels the jobs in flight once, and waits for them

    A job failing or ending cancelled, or the caller cancelling, at any moment cancels the jobs
    in flight, once; the error comes when their clean-up has run to its end.

    A failure fails fast: no other job starts then, and the error reaches the caller once the
    clean-up of the jobs in flight (which may itself raise) is over. A job that ends cancelled
    (raises CancelledError itself) stops the pool so too, whatever return_exceptions says, and the
    caller gets CancelledError. A clean-up may be long: a job is cancelled once, never again.
    """
    caller_cancels = fault == "the caller cancels"
    n = len(seconds)
    at = at % n
    seconds = list(seconds)
    starts = pool_starts(seconds, limit)
    if caller_cancels:
        finish = max(s + d for s, d in zip(starts, seconds, strict=True))
        moment = round(moment % finish + OFF_GRID, 6)
        if moment >= finish:
            return
        raises = False  # what a raising clean-up does to a cancellation: the contract is silent
    else:
        seconds[at] = round(seconds[at] + OFF_GRID, 6)
        starts = pool_starts(seconds, limit)
        moment = round(starts[at] + seconds[at], 6)
        if fault == "a job fails":
            return_exceptions = False
        else:
            raises = False  # beside a cancellation, the contract is silent on a raising clean-up
    crew = Crew(seconds, fails=None if caller_cancels else at, cleanup=cleanup,
                cleanup_raises=raises,
                error=asyncio.CancelledError() if fault == "a job ends cancelled" else None)

    async def scenario() -> tuple[Any, BaseException | None, float, list[int]]:
        call = pool.run_tasks(crew.jobs(), limit, return_exceptions=return_exceptions)
        if caller_cancels:
            caller = asyncio.create_task(call)
            await asyncio.sleep(moment)
            caller.cancel()
            result, error = await settle(caller)
        else:
            result, error = await settle(call)
        return result, error, now(), sorted(crew.running)

    result, error, ended, running = run_virtual(scenario)
    in_flight = [i for i, (s, d) in enumerate(zip(starts, seconds, strict=True))
                 if s < moment < s + d and (caller_cancels or i != at)]
    # The caller hears of it once the jobs in flight are cleaned up: its own cancel (from the
    # moment it cancels), or the failure.
    expect_caller(moment if caller_cancels else 0.0, moment + (cleanup if in_flight else 0.0),
                  timeline.FAILED if fault == "a job fails" else timeline.CANCELLED)
    given_as = (f"With jobs of {listing(secs(s) for s in seconds)}, limit={limit}, "
                f"return_exceptions={return_exceptions} and a clean-up of {secs(cleanup)} in "
                "each cancelled job" + (" (that then raises RuntimeError)" if raises else ""))
    if caller_cancels:
        what = f"the caller cancelled run_tasks at {secs(moment)}"
        assert isinstance(error, asyncio.CancelledError), (
            f"{given_as}, {what}; it {outcome(result, error)}. The cancellation must reach the "
            "caller, never be a result")
    elif fault == "a job ends cancelled":
        what = (f"job{at} ended cancelled at {secs(moment)} (it raised CancelledError itself; "
                "nothing cancelled it)")
        assert isinstance(error, asyncio.CancelledError), (
            f"{given_as}, {what}; run_tasks {outcome(result, error)}. A job that ends cancelled "
            "is never a result: it stops the pool as a failure does, and run_tasks raises "
            "CancelledError (a BaseException, which a TaskGroup does not count as a failure)")
    else:
        what = f"job{at} raised {crew.error!r} at {secs(moment)}"
        assert error is crew.error, (
            f"{given_as}, {what}; run_tasks {outcome(result, error)}. Expected that very "
            "ValueError: the first exception propagates, itself (not an ExceptionGroup, not an "
            "error that came later, from a clean-up)")
    missed = [f"job{i}" for i in in_flight if i not in crew.cancelled]
    assert not missed, (
        f"{given_as}, {what}. {listing(missed)} still ran then and was never cancelled: cancel "
        "the jobs in flight at that moment")
    late = [f"job{i} at {secs(t)}" for i, t in sorted(crew.cancelled.items())
            if not same_time(t, moment)]
    assert not late, (
        f"{given_as}, {what}; {listing(late)} was cancelled. Cancel the jobs in flight at that "
        "very moment, not earlier or later")
    started_late = [f"job{i}" for i, times in enumerate(crew.starts)
                    if any(t > moment - CLOCK_RESOLUTION for t in times)]
    assert not started_late, (
        f"{given_as}, {what}; yet {listing(started_late)} started after that. No job may start "
        "once the pool is stopping")
    again = crew.cancelled_again()
    assert not again, (
        f"{given_as}, {what}; {listing(again)} was cancelled, the second time during its "
        f"clean-up of {secs(cleanup)}, which that cut short. Cancel a job once, and let its "
        "clean-up run to its end, however long it takes")
    cut = [f"job{i}" for i in crew.cancelled if i not in crew.cleaned]
    assert not cut, (
        f"{given_as}, {what}; the clean-up of {listing(cut)} never ran to its end. Wait for "
        "every cancelled job to finish its clean-up")
    due = moment + (cleanup if crew.cancelled else 0.0)
    assert not running and same_time(ended, due), (
        f"{given_as}, {what}. The error reached the caller at {secs(ended)} with "
        f"{listing(f'job{i}' for i in running)} still running; expected at {secs(due)}: once "
        "every cancelled job has finished its clean-up, no later")


@task5
@pytest.mark.parametrize(("limit", "error", "named"), [
    (0, ValueError, "0"), (-2, ValueError, "-2"), (2.5, TypeError, "2.5"),
    (2.0, TypeError, "2.0"), (True, TypeError, "True"), (False, TypeError, "False"),
    ("3", TypeError, "'3'"), (None, TypeError, "None"), (float("nan"), TypeError, "nan"),
    (float("inf"), TypeError, "inf"), (-1, ValueError, "-1")])
async def test_rejects_a_bad_limit(limit: Any, error: type[Exception], named: str,
                                   jobs: Jobs) -> None:
    """rejects a limit that is not an int of at least 1, naming it"""
    work = jobs.many([1.0])
    await rejects(error, lambda: pool.run_tasks(work, limit),
                  shown=f"run_tasks(jobs, {limit!r})", named=("limit", named))
    assert not jobs.records[0].calls, "a job was called before the limit was checked"


@task5
@pytest.mark.parametrize("kind", ["a coroutine object", "a Future", "an awaitable object"])
async def test_rejects_an_awaitable_where_a_job_is_due(kind: str, jobs: Jobs) -> None:
    """rejects an awaitable (what calling a job gives) listed where a job, a callable, is due"""
    first = jobs.make(1.0)

    async def work() -> str:
        return "done"

    if kind == "a coroutine object":
        awaitable: Any = work()
    elif kind == "a Future":
        awaitable = asyncio.get_running_loop().create_future()
    else:
        awaitable = _Awaiting(asyncio.sleep(0))
    try:
        await rejects(TypeError, lambda: pool.run_tasks([first, awaitable], 2),
                      shown=f"run_tasks([job, {kind}], 2)", named=())
    finally:
        for leftover in (awaitable, getattr(awaitable, "_awaitable", None)):
            if asyncio.iscoroutine(leftover):
                leftover.close()
    assert not jobs.records[0].calls, (
        f"job0 was called before {kind} listed after it was rejected; a job is a callable that "
        "returns an awaitable, not an awaitable: check every job first")


@task5
@pytest.mark.parametrize(("make", "named"), [
    (lambda work: 42, "42"), (lambda work: [*work, 42], ()),
    (lambda work: (job for job in [*work, 42]), ()), (lambda work: "jobs", ())],
    ids=["not iterable", "not callable", "not callable, in a generator", "a str"])
async def test_rejects_bad_jobs(make: Any, named: str | tuple[()], jobs: Jobs) -> None:
    """rejects jobs that are not an iterable of callables, before any job is called

    The iterable may be a list or a one-pass generator.
    """
    candidate = make([jobs.make(1.0)])
    await rejects(TypeError, lambda: pool.run_tasks(candidate, 2),
                  shown=f"run_tasks({candidate!r}, 2)", named=named)
    assert not jobs.records[0].calls, (
        "a job was called before every job was checked; check them all first, whatever the "
        "iterable (list it once: a generator can be read only once)")
