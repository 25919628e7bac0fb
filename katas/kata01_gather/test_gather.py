"""Behaviour spec of kata 01: coroutines and gather. All times are loop time."""

import asyncio
import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import Jobs, implementation, listing, now, outcome, secs, settle, show, timeline, were
from specs.checks import CLOCK_RESOLUTION, running_tasks, same_time, shows
from specs.properties import (
    CALLABLE_STYLES,
    durations,
    iterable_shapes,
    run_virtual,
    shaped,
)
from specs.timeline import expect_caller

gather = implementation("kata01_gather", "gather")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)
task6 = pytest.mark.task(6)
task7 = pytest.mark.task(7)

RUNNERS = [pytest.param("run_sequentially", marks=task1, id="sequentially"),
           pytest.param("run_concurrently", marks=task2, id="concurrently")]


class _Unhashable:
    """A job that is an object with ``__call__`` and cannot be hashed (no set, no dict key)."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, job: Callable[[], Any]) -> None:
        self._job = job

    def __call__(self) -> Any:
        return self._job()

    def __repr__(self) -> str:
        return "<unhashable callable object>"


STYLES = {**CALLABLE_STYLES, "unhashable callable object": _Unhashable}
# A job may return anything: falsy values, and an exception object (returned, not raised).
RETURNED = ValueError("returned, not raised")
FALSY_OR_NOT = [0, "", None, False, [], "done", 7, RETURNED]
# Enough jobs at once to catch a cap on how many run at the same time.
MANY = [(0.25 * (1 + n % 4), n) for n in range(24)]


def styles() -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(STYLES))


def exact(values: list[Any]) -> list[str]:
    """Results compared by repr, so that 0, False and None are told apart."""
    return [repr(v) for v in values]


def as_given(seconds: list[float], shape: str, style: str, twice: bool = False) -> str:
    jobs = f"{len(seconds)} job{'s' * (len(seconds) != 1)}"
    of = f" of {listing(secs(s) for s in seconds)}" if seconds else ""
    again = ", job 0 listed again at the end" if twice else ""
    return f"With a {shape} of {jobs}{of} (each a {style}{again})"

# --- tasks 1 and 2: any jobs, in any shape ----------------------------------------------------

@task1
async def test_sequential_total_time_is_the_sum(jobs: Jobs) -> None:
    """awaits the jobs one after another: the total time is the sum"""
    start = now()
    for row, begin, end in (("job0", 0.0, 1.0), ("job1", 1.0, 3.0), ("job2", 3.0, 3.5)):
        timeline.expect(row, start + begin, start + end)
    await gather.run_sequentially(jobs.many([1.0, 2.0, 0.5]))
    took = now() - start
    assert jobs.peak, (
        "run_sequentially returned without running any job: calling a job only creates a "
        "coroutine, `await job()` runs it"
    )
    assert jobs.peak == 1, (
        f"run_sequentially ran {jobs.peak} jobs at the same time; it should run one at a time"
    )
    assert same_time(took, 3.5), (
        f"3 jobs of 1.0 s, 2.0 s and 0.5 s took {secs(took)} of loop time; "
        "run one after another they should take 3.5 s (the sum)"
    )


@task2
async def test_concurrent_total_time_is_the_slowest(jobs: Jobs) -> None:
    """runs the jobs at the same time: the total is the slowest job, not the sum"""
    start = now()
    for row in ("job0", "job1", "job2"):
        timeline.expect(row, start, start + 1.0)
    await gather.run_concurrently(jobs.many([1.0, 1.0, 1.0]))
    took = now() - start
    assert same_time(took, 1.0), (
        f"3 one-second jobs took {secs(took)} of loop time; "
        "run concurrently they should take 1.0 s"
    )
    assert jobs.peak == 3, f"only {jobs.peak} of the 3 jobs were ever running at the same time"


@pytest.mark.parametrize("function", RUNNERS)
@given(plan=st.lists(st.tuples(durations(0.001, 3.0), st.sampled_from(FALSY_OR_NOT)),
                     max_size=5),
       twice=st.booleans(), shape=iterable_shapes(), style=styles())
@example(plan=[], twice=False, shape="list", style="function")
@example(plan=[(0.333, 0), (2.0, None), (1.0, "")], twice=True, shape="generator",
         style="partial")
@example(plan=[(1.5, False), (0.25, [])], twice=False, shape="tuple",
         style="unhashable callable object")
@example(plan=[(0.5, RETURNED), (0.25, "done")], twice=False, shape="list", style="function")
@example(plan=MANY, twice=False, shape="generator", style="function")
@settings(max_examples=7)
def test_runs_any_jobs(function: str, plan: list[tuple[float, Any]], twice: bool, shape: str,
                       style: str) -> None:
    """for any jobs, starts each job when it should; returns all results in input order when the
    last ends

    The jobs may be a generator, list a job twice, be many, give falsy results or return an
    exception, and be any callable.
    """
    jobs = Jobs()
    made = [STYLES[style](jobs.make(s, result=r)) for s, r in plan]
    order = [*range(len(made)), *([0] if twice and made else [])]
    listed = [plan[i][0] for i in order]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        together = function == "run_concurrently"
        for n, index in enumerate(order):  # a job listed twice: its second life is "#2"
            due = 0.0 if together else sum(listed[:n])
            timeline.expect(f"job{index}" + (" #2" if index in order[:n] else ""), due,
                            due + listed[n])
        expect_caller(0.0, max(listed, default=0.0) if together else sum(listed))
        got, error = await settle(getattr(gather, function)(shaped([made[i] for i in order],
                                                                     shape)))
        return got, error, now()

    got, error, ended = run_virtual(scenario)
    given_as = as_given(listed, shape, style, twice and bool(made))
    expected = [plan[i][1] for i in order]
    returned = (" and an exception object a job returns is its result, not a failure"
                if any(isinstance(r, BaseException) for r in expected) else "")
    assert error is None and exact(got) == exact(expected), (
        f"{given_as}, {function} {outcome(got, error)}; expected {show(expected)}: each job's "
        f"result, in input order (a job listed twice runs twice{returned})")
    if function == "run_sequentially":
        due = [sum(listed[:n]) for n in range(len(listed))]
        how = "one after another: each starts the moment the previous one ends"
        finish = sum(listed)
    else:
        due = [0.0] * len(listed)
        how = "at the same time: every job starts at 0.0 s"
        finish = max(listed, default=0.0)
    if function == "run_concurrently":
        assert jobs.peak == len(listed), (
            f"{given_as}, only {jobs.peak} of the {len(listed)} jobs were ever running at the "
            "same time; run_concurrently should start them all at once, with no cap")
    starts = sorted(t for r in jobs.records for t in r.starts)
    assert same_time(starts, sorted(due)), (
        f"{given_as}, {function} started jobs at {listing(secs(t) for t in starts)}; expected "
        f"{listing(secs(t) for t in due)}, {how}")
    for index, record in enumerate(jobs.records):
        mine = [due[n] for n, i in enumerate(order) if i == index]
        assert same_time(record.starts, mine), (
            f"{given_as}, job {index} started at {listing(secs(t) for t in record.starts)}; "
            f"expected {listing(secs(t) for t in mine)} ({how})")
    assert same_time(ended, finish), (
        f"{given_as}, {function} returned at {secs(ended)}; the last job ended at "
        f"{secs(finish)}: return when every job is done, no later")


@task1
@given(seconds=st.lists(durations(0.001, 3.0), min_size=1, max_size=5), fail=st.integers(0, 4))
@example(seconds=[1.0, 1.0, 1.0], fail=1)
@settings(max_examples=5)
def test_sequential_stops_at_the_first_failure(seconds: list[float], fail: int) -> None:
    """a failing job's exception reaches the caller at once, and later jobs are never called"""
    fail %= len(seconds)
    jobs = Jobs()
    boom = ValueError(f"job{fail} failed")
    work = [jobs.make(s, error=boom if i == fail else None) for i, s in enumerate(seconds)]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        for index in range(fail + 1):
            timeline.expect(f"job{index}", sum(seconds[:index]), sum(seconds[:index + 1]))
        timeline.expect(f"job{fail}", sum(seconds[:fail + 1]), kind=timeline.FAILED)
        for later in range(fail + 1, len(seconds)):
            timeline.expect_nothing(f"job{later}")
        expect_caller(0.0, sum(seconds[:fail + 1]), timeline.FAILED)
        return *(await settle(gather.run_sequentially(work))), now()

    got, error, ended = run_virtual(scenario)
    given_as = (f"With jobs of {listing(secs(s) for s in seconds)}, job {fail} raising "
                f"{boom!r} when it ends")
    assert error is boom, (
        f"{given_as}, run_sequentially {outcome(got, error)}; expected that very error to "
        "reach the caller")
    failed_at = sum(seconds[:fail + 1])
    assert same_time(ended, failed_at), (
        f"{given_as} (at {secs(failed_at)}), the error reached the caller at {secs(ended)}")
    called = [r.name for r in jobs.records[fail + 1:] if r.calls]
    assert not called, (
        f"{given_as}, run_sequentially still called {listing(called)}: the error should end "
        "the run, later jobs are never called")


# --- task 3: timed ----------------------------------------------------------------------------

@task3
async def test_timed_measures_loop_time(jobs: Jobs) -> None:
    """returns the job's result and how long it took, in seconds of loop time"""
    await asyncio.sleep(1.0)  # the measurement starts when timed() is called
    start = now()
    timeline.expect("job0", start, start + 2.5)
    measured = await gather.timed(jobs.make(2.5, result="done"))
    assert measured.result == "done", (
        f"timed(job) returned result={show(measured.result)}; the job returned 'done'"
    )
    assert same_time(measured.seconds, 2.5), (
        f"A job that sleeps 2.5 s of loop time was measured at {secs(measured.seconds)}. "
        "Measure with asyncio.get_running_loop().time(), the clock asyncio sleeps by "
        "(time.monotonic() knows nothing of virtual time), from start to end of the job"
    )


@task3
@given(before=durations(0.0, 5.0), seconds=st.one_of(st.just(0.0), durations(0.001, 5.0)),
       result=st.sampled_from(FALSY_OR_NOT), style=styles())
@example(before=1.234, seconds=0.333, result=None, style="partial")
@settings(max_examples=6)
def test_timed_measures_any_job(before: float, seconds: float, result: Any, style: str) -> None:
    """for any job, returns its result and the loop time from the call to the job's end

    The job may be any callable, and its result anything, falsy ones too.
    """
    jobs = Jobs()
    job = STYLES[style](jobs.make(seconds, result=result))

    async def scenario() -> tuple[Any, BaseException | None, float]:
        await asyncio.sleep(before)
        timeline.expect("job0", before, before + seconds)
        expect_caller(before, before + seconds)
        got, error = await settle(gather.timed(job))
        return got, error, now() - before

    got, error, took = run_virtual(scenario)
    given_as = (f"A job ({style}) of {secs(seconds)} returning {result!r}, timed from "
                f"{secs(before)} of loop time")
    assert error is None and exact([got.result]) == exact([result]), (
        f"{given_as}: timed {outcome(got, error)}; expected Timed(result={result!r}, ...)")
    assert same_time(got.seconds, seconds), (
        f"{given_as}: timed measured {secs(got.seconds)}; expected {secs(seconds)}, the loop "
        "time from the call to the job's end (asyncio.get_running_loop().time())")
    assert same_time(took, seconds), (
        f"{given_as}: timed returned after {secs(took)}; expected when the job ended, "
        f"{secs(seconds)} after the call")


@task3
async def test_timed_propagates_failures(jobs: Jobs) -> None:
    """lets a failing job's exception propagate"""
    boom = ValueError("boom")
    result, error = await settle(gather.timed(jobs.make(1.0, error=boom)))
    assert error is boom, f"the job raised {boom!r}; timed {outcome(result, error)}"


# --- tasks 1 to 3: a job may return any awaitable ---------------------------------------------

class _Awaitable:
    """An awaitable that is neither a coroutine nor a Future: an object with ``__await__``."""

    def __init__(self, seconds: float, result: Any) -> None:
        self.seconds, self.result = seconds, result

    def __await__(self) -> Any:
        yield from asyncio.sleep(self.seconds).__await__()
        return self.result

    def __repr__(self) -> str:
        return "<object with __await__>"


def _future_job(seconds: float, result: Any, error: BaseException | None,
                futures: list[asyncio.Future[Any]]) -> Callable[[], Any]:
    def job() -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        futures.append(future)

        def resolve() -> None:
            if not future.done():
                future.set_exception(error) if error else future.set_result(result)
        asyncio.get_running_loop().call_later(seconds, resolve)
        return future
    return job


AWAITABLE_KINDS = ["a Future", "a Task", "an object with __await__"]


@pytest.mark.parametrize("function", [*RUNNERS,
                                      pytest.param("timed", marks=task3, id="timed")])
@pytest.mark.parametrize("kind", AWAITABLE_KINDS)
def test_a_job_may_return_any_awaitable(function: str, kind: str) -> None:
    """a job may return any awaitable: a Future, a Task, an object with __await__"""
    futures: list[asyncio.Future[Any]] = []
    seconds = [1.0, 2.0, 0.5] if function != "timed" else [1.5]

    def job(n: int, s: float) -> Callable[[], Any]:
        if kind == "a Future":
            return _future_job(s, n, None, futures)
        if kind == "a Task":
            return lambda: asyncio.ensure_future(asyncio.sleep(s, n))
        return lambda: _Awaitable(s, n)

    work = [job(n, s) for n, s in enumerate(seconds)]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        call = gather.timed(work[0]) if function == "timed" else getattr(gather, function)(work)
        return *(await settle(call)), now()

    got, error, ended = run_virtual(scenario)
    took = {"run_sequentially": sum(seconds), "run_concurrently": max(seconds),
            "timed": seconds[0]}[function]
    expected: Any = list(range(len(seconds))) if function != "timed" else 0
    result = got.result if function == "timed" and error is None else got
    assert error is None and result == expected, (
        f"With jobs that return {kind} of {listing(secs(s) for s in seconds)}, {function} "
        f"{outcome(got, error)}; expected {expected!r}: a job is any callable that returns an "
        "awaitable (asyncio.ensure_future turns any awaitable into something a task can await)")
    assert same_time(ended, took), (
        f"With jobs that return {kind} of {listing(secs(s) for s in seconds)}, {function} "
        f"returned at {secs(ended)}; expected at {secs(took)}")


# --- task 4: compare --------------------------------------------------------------------------

@task4
@given(seconds=st.lists(st.one_of(st.just(0.0), durations(0.001, 3.0)), max_size=4),
       shape=iterable_shapes(), style=styles())
@example(seconds=[1.0, 2.0, 3.0], shape="list", style="function")
@example(seconds=[0.0, 0.0], shape="generator", style="function")
@example(seconds=[0.333, 1.25], shape="generator", style="callable object")
@settings(max_examples=6)
def test_compare_times_both_runs(seconds: list[float], shape: str, style: str) -> None:
    """for any jobs (a generator too), runs them sequentially, then concurrently, and reports both
    times and their ratio

    The ratio is 1.0 when the concurrent run took no time.
    """
    jobs = Jobs()
    made = [STYLES[style](job) for job in jobs.many(seconds)]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        for index, s in enumerate(seconds):  # in turn, then all at once from the sum
            timeline.expect(f"job{index}", sum(seconds[:index]), sum(seconds[:index + 1]))
            timeline.expect(f"job{index} #2", sum(seconds), sum(seconds) + s)
        expect_caller(0.0, sum(seconds) + max(seconds, default=0.0))
        return *(await settle(gather.compare(shaped(made, shape)))), now()

    got, error, ended = run_virtual(scenario)
    total, slowest = sum(seconds), max(seconds, default=0.0)
    expected = (total, slowest, total / slowest if slowest else 1.0)
    given_as = as_given(seconds, shape, style)
    assert error is None and same_time(tuple(got)[:2], expected[:2]) and (  # loop times
            tuple(got)[2:] == pytest.approx(expected[2:])), (  # and their ratio
        f"{given_as}, compare {outcome(got, error)}; expected sequential_s={secs(total)} (the "
        f"sum), concurrent_s={secs(slowest)} (the slowest), speedup={expected[2]:.3f} "
        "(their ratio; 1.0 when the concurrent run took no time)")
    for index, record in enumerate(jobs.records):
        due = [sum(seconds[:index]), total]
        assert same_time(record.calls, due), (
            f"{given_as}, job {index} was called at {listing(secs(t) for t in record.calls)}; "
            f"expected twice, at {secs(due[0])} in the sequential run and at {secs(total)} "
            "when the concurrent run starts, after the sequential one")
    assert same_time(ended, total + slowest), (
        f"{given_as}, compare returned at {secs(ended)}; expected {secs(total + slowest)}")


@task4
async def test_compare_with_no_jobs() -> None:
    """with no jobs, both runs take 0 s and the speed-up is 1.0"""
    result = await gather.compare([])
    assert same_time(tuple(result)[:2], (0.0, 0.0)) and tuple(result)[2:] == (1.0,), (
        f"compare([]) returned {result!r}; expected (0.0, 0.0, 1.0): no time either way, "
        "so no speed-up (and no division by zero)"
    )


# --- task 5: the report -----------------------------------------------------------------------

def in_order(numbers: list[float], wanted: list[tuple[float, float]]) -> bool:
    """`numbers` holds, in order (not necessarily side by side), a match for each wanted value
    within its tolerance."""
    position = 0
    for value, tolerance in wanted:
        while position < len(numbers) and abs(numbers[position] - value) > tolerance:
            position += 1
        if position == len(numbers):
            return False
        position += 1
    return True


@task5
@given(sequential=st.integers(0, 99_999), concurrent=st.integers(0, 99_999),
       speedup=st.integers(100, 99_999))
@example(sequential=4_500, concurrent=1_500, speedup=3_000)
@example(sequential=1_234, concurrent=1_000, speedup=1_234)
@example(sequential=2_005, concurrent=9_876, speedup=12_340)
@settings(max_examples=15)
def test_report_names_both_times_and_the_speedup(sequential: int, concurrent: int,
                                                 speedup: int) -> None:
    """str(comparison) is one line with, in order, the sequential time, the concurrent time and the
    speed-up

    The times are shown to 1/100 s or finer, the speed-up to 0.1 or finer.
    """
    values = (sequential / 1000, concurrent / 1000, speedup / 1000)
    text = str(gather.Comparison(*values))
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    wanted = [(values[0], 0.005 + 1e-9), (values[1], 0.005 + 1e-9), (values[2], 0.05 + 1e-9)]
    assert "\n" not in text and in_order(numbers, wanted), (
        f"str(Comparison({', '.join(map(str, values))})) gave {text!r}; expected one line with "
        f"{values[0]} s (the sequential time), then {values[1]} s (the concurrent time), both "
        f"to 1/100 s or finer, then the speed-up {values[2]} to 0.1 or finer")


# --- task 6: failures and cancellation, no orphans --------------------------------------------

@task6
async def test_concurrent_failure_is_the_jobs_own_exception(jobs: Jobs) -> None:
    """a failure reaches the caller as the job's own exception, not wrapped in a group"""
    boom = ValueError("boom")
    work = [jobs.make(1.0), jobs.make(0.5, error=boom), jobs.make(2.0)]
    result, error = await settle(gather.run_concurrently(work))
    assert error is boom, (
        f"job1 raised {boom!r} after 0.5 s. run_concurrently {outcome(result, error)}; the spec "
        "expected that very ValueError (if you use a TaskGroup, unwrap its ExceptionGroup)"
    )


CLEANUPS = st.sampled_from([0.0, 0.0, 0.25, 0.333, 1.0])


@task6
@given(plan=st.lists(st.tuples(st.one_of(durations(0.001, 3.0), st.sampled_from([0.5, 1.0])),
                               st.booleans(), CLEANUPS), min_size=1, max_size=5))
@example(plan=[(1.0, False, 0.25), (0.5, True, 0.0), (2.0, False, 0.25)])
@example(plan=[(0.5, True, 0.0), (0.5, True, 0.0), (0.5, False, 0.0), (0.7, False, 1.0)])
@settings(max_examples=10)
def test_concurrent_failure_cancels_the_others(plan: list[tuple[float, bool, float]]) -> None:
    """when a job fails, the others are cancelled at once, and its error reaches the caller as soon
    as their clean-up is done"""
    if not any(fails for _, fails, _ in plan):
        plan = [(plan[0][0], True, 0.0), *plan[1:]]
    failed_at = min(s for s, fails, _ in plan if fails)
    # a job that fails, or ends by then, has no clean-up to interrupt
    plan = [(s, fails, 0.0 if fails or s <= failed_at else c) for s, fails, c in plan]
    jobs = Jobs()
    errors = [ValueError(f"job{i} failed") if fails else None for i, (_, fails, _) in
              enumerate(plan)]
    work = [jobs.make(s, error=e, cleanup_s=c) for (s, _, c), e in zip(plan, errors, strict=True)]

    async def scenario() -> tuple[Any, BaseException | None, float, list[str]]:
        ends = [s for s, _, _ in plan]
        for index, (s, fails, c) in enumerate(plan):
            row = f"job{index}"
            if s > failed_at:  # cancelled at the first failure, then its clean-up
                timeline.expect(row, 0.0, failed_at)
                timeline.expect(row, failed_at, kind=timeline.CANCELLED)
                timeline.expect(row, failed_at, failed_at + c, timeline.CLEANUP)
            elif s < failed_at or ends.count(s) == 1:  # a tie at the failure may go either way
                timeline.expect(row, 0.0, s)
                if fails:
                    timeline.expect(row, s, kind=timeline.FAILED)
        expect_caller(0.0, failed_at + max((c for s, _, c in plan if s > failed_at), default=0.0),
                      timeline.FAILED)
        got, error = await settle(gather.run_concurrently(work))
        return got, error, now(), jobs.still_running

    got, error, ended, running = run_virtual(scenario)
    given_as = "With jobs " + listing(
        f"of {secs(s)}" + (" that fails" if fails else "") + (f" (clean-up {secs(c)})" if c else "")
        for s, fails, c in plan)
    first = [e for (s, _, _), e in zip(plan, errors, strict=True) if e and s == failed_at]
    assert any(error is e for e in first), (
        f"{given_as}, run_concurrently {outcome(got, error)}; expected the first failure's own "
        f"exception, {listing(repr(e) for e in first)} (not wrapped in an ExceptionGroup)")
    assert not running, (
        f"{given_as}, when the error reached the caller {listing(running)} had not been "
        "cancelled and finished their clean-up: orphaned jobs keep running unseen. Cancel the "
        "others and wait for them (a TaskGroup does both)")
    late = [f"{r.name} ({r.fate()})" for r, (s, _, _) in
            zip(jobs.records, plan, strict=True)
            if s > failed_at and (not r.cancelled or not same_time(r.finished_at, failed_at))]
    assert not late, (
        f"{given_as}, the first failure came at {secs(failed_at)}, but these jobs were not "
        f"cancelled then: {listing(late)}. Cancel the others the moment one fails")
    due = failed_at + max((c for s, _, c in plan if s > failed_at), default=0.0)
    assert same_time(ended, due), (
        f"{given_as}, the error reached the caller at {secs(ended)}; expected {secs(due)}: "
        "as soon as the cancelled jobs have finished their clean-up")


@task6
@given(seconds=st.lists(st.tuples(durations(0.5, 5.0), CLEANUPS), min_size=1, max_size=4),
       cancel_at=durations(0.001, 0.499))
@example(seconds=[(5.0, 0.0), (5.0, 0.25)], cancel_at=0.4)
@settings(max_examples=6)
def test_cancelling_the_caller_cancels_the_jobs(seconds: list[tuple[float, float]],
                                                cancel_at: float) -> None:
    """cancelling run_concurrently cancels every job at once, and ends once they have ended"""
    jobs = Jobs()
    work = [jobs.make(s, cleanup_s=c) for s, c in seconds]

    async def scenario() -> tuple[Any, BaseException | None, float, int]:
        for index, (_, c) in enumerate(seconds):  # every job cancelled then, its clean-up run
            timeline.expect(f"job{index}", 0.0, cancel_at)
            timeline.expect(f"job{index}", cancel_at, kind=timeline.CANCELLED)
            timeline.expect(f"job{index}", cancel_at, cancel_at + c, timeline.CLEANUP)
        expect_caller(cancel_at, cancel_at + max(c for _, c in seconds), timeline.CANCELLED)
        caller = asyncio.ensure_future(gather.run_concurrently(work))
        await asyncio.sleep(cancel_at)
        caller.cancel()
        got, error = await settle(caller)
        return got, error, now(), len(running_tasks())

    got, error, ended, pending = run_virtual(scenario)
    given_as = (f"With jobs of {listing(secs(s) for s, _ in seconds)} (clean-ups of "
                f"{listing(secs(c) for _, c in seconds)}), the caller cancelled at "
                f"{secs(cancel_at)}")
    assert isinstance(error, asyncio.CancelledError), (
        f"{given_as}: run_concurrently {outcome(got, error)}; the cancellation should propagate")
    not_cancelled = [f"{r.name} ({r.fate()})" for r in jobs.records
                     if not r.cancelled or not same_time(r.finished_at, cancel_at)]
    assert not not_cancelled, (
        f"{given_as}: {were(not_cancelled)} not cancelled then; cancelling "
        "run_concurrently must cancel the jobs it started, at once")
    assert not pending, (
        f"{given_as}: when the cancellation reached the caller, {pending} task(s) it started "
        "were still running; wait for the cancelled jobs to end before you let it through")
    due = cancel_at + max(c for _, c in seconds)
    assert ended <= due + CLOCK_RESOLUTION, (
        f"{given_as}: the cancellation reached the caller at {secs(ended)}; expected by "
        f"{secs(due)}, as soon as the jobs had ended")


class Tidy:
    """A job (local to this spec) whose clean-up, when cancelled, takes `cleanup` s in `steps`
    awaits, and may raise `cleanup_error` at its end; it records each cancellation it receives,
    and whether a later one cut its clean-up short."""

    def __init__(self, name: str, seconds: float, cleanup: float, *, steps: int = 4,
                 error: BaseException | None = None,
                 cleanup_error: BaseException | None = None) -> None:
        self.name, self.seconds, self.cleanup, self.steps = name, seconds, cleanup, steps
        self.error, self.cleanup_error = error, cleanup_error
        self.cancels: list[float] = []
        self.cut_at: float | None = None
        self.cleaned_up_at: float | None = None

    async def run(self) -> str:
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancels.append(now())
            begun = now()
            try:
                for _ in range(self.steps):
                    await asyncio.sleep(self.cleanup / self.steps)
            except asyncio.CancelledError:
                self.cancels.append(now())
                self.cut_at = now() - begun
                raise
            self.cleaned_up_at = now()
            if self.cleanup_error is not None:
                raise self.cleanup_error from None
            raise
        if self.error is not None:
            raise self.error
        return self.name

    def __call__(self) -> Any:
        return self.run()

    def __repr__(self) -> str:
        return self.name

    def fault(self) -> str | None:
        """What went wrong with its cancellation, for a message; None if it was cancelled once
        and cleaned up to the end."""
        if len(self.cancels) > 1:
            return (f"{self.name} was cancelled {len(self.cancels)} times (at "
                    f"{listing(secs(t) for t in self.cancels)}), and its {secs(self.cleanup)} "
                    f"clean-up was cut short after {secs(self.cut_at)}")
        if self.cancels and self.cleaned_up_at is None:
            return f"{self.name}'s {secs(self.cleanup)} clean-up never ended"
        return None


# (durations, clean-ups, the index of the failing job or None, the caller cancelled at)
CUTS = {
    "a job fails": ([3.0, 1.0, 3.0, 3.0], [1.0, 0.0, 0.25, 0.0], 1, None),
    "a job fails, the others clean up for long": ([5.0, 5.0, 0.5], [2.0, 0.4, 0.0], 2, None),
    "the caller is cancelled": ([3.0, 3.0, 3.0], [0.0, 1.0, 0.25], None, 0.5),
    "the caller is cancelled, one long clean-up": ([3.0, 3.0], [2.0, 0.0], None, 1.0),
}


@task6
@pytest.mark.parametrize("case", list(CUTS))
def test_each_job_is_cancelled_once_and_its_clean_up_runs_to_its_end(case: str) -> None:
    """each job is cancelled once and its clean-up runs to its end

    Each job is cancelled once, on a failure or the caller's cancel, and its clean-up runs to
    its end.

    The clean-ups take several awaits and up to 2 s: cancelling a job again (after gather or a
    TaskGroup cancelled it, or while waiting for it) cuts its clean-up short.
    """
    seconds, cleanups, failing, cancel_at = CUTS[case]
    boom = ValueError("job failed")
    work = [Tidy(f"job{i}", s, c, error=boom if i == failing else None)
            for i, (s, c) in enumerate(zip(seconds, cleanups, strict=True))]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        cut = seconds[failing] if failing is not None else cancel_at
        due = cut + max(c for i, c in enumerate(cleanups) if i != failing)
        expect_caller(cancel_at or 0.0, due,
                      timeline.FAILED if failing is not None else timeline.CANCELLED)
        caller = asyncio.ensure_future(gather.run_concurrently(work))
        if cancel_at is not None:
            await asyncio.sleep(cancel_at)
            caller.cancel()
        got, error = await settle(caller)
        ended = now()
        await asyncio.sleep(max(seconds) + max(cleanups) + 1.0 - now())  # let any leftover end
        return got, error, ended

    got, error, ended = run_virtual(scenario)
    cut_at = seconds[failing] if failing is not None else cancel_at
    given_as = (f"With jobs of {listing(secs(s) for s in seconds)}, whose clean-ups take "
                f"{listing(secs(c) for c in cleanups)} in 4 steps each, "
                + (f"job{failing} failing at {secs(cut_at)}" if failing is not None
                   else f"the caller cancelled at {secs(cut_at)}"))
    expected = boom if failing is not None else "CancelledError"
    assert (error is boom) if failing is not None else isinstance(error, asyncio.CancelledError), (
        f"{given_as}, run_concurrently {outcome(got, error)}; expected {expected}")
    faults = [fault for job in work if (fault := job.fault())]
    assert not faults, (
        f"{given_as}: {listing(faults)}. Cancel each job once and then only wait: a second "
        "cancel lands in the clean-up itself (a TaskGroup, or gather when cancelled, already "
        "cancels the jobs; do not cancel them again, nor again and again while you wait)")
    due = cut_at + max(c for i, c in enumerate(cleanups) if i != failing)
    assert same_time(ended, due), (
        f"{given_as}: {expected} reached the caller at {secs(ended)}; expected at {secs(due)}, "
        "when the last clean-up ended")


@task6
@pytest.mark.parametrize("cleanup", [0.0, 0.5], ids=["at once", "after 0.5 s"])
def test_the_first_failure_in_loop_time_is_the_one_reported(cleanup: float) -> None:
    """the caller gets the first failure in loop time, not the first in input order

    When several jobs fail, the caller gets the first failure in loop time, not the first in
    input order; a cancelled job's error from its clean-up is not reported.
    """
    first = ValueError("job2 failed at 1.0 s")
    late = RuntimeError("job0's clean-up failed")
    work = [Tidy("job0", 3.0, cleanup, cleanup_error=late), Tidy("job1", 3.0, 0.25),
            Tidy("job2", 1.0, 0.0, error=first)]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        expect_caller(0.0, 1.0 + max(cleanup, 0.25), timeline.FAILED)
        return *(await settle(gather.run_concurrently(work))), now()

    got, error, ended = run_virtual(scenario)
    assert error is first, (
        f"job2 failed with {first!r} at 1.0 s; job0, then cancelled, raised {late!r} from its "
        f"clean-up {secs(cleanup)} later. run_concurrently {outcome(got, error)}; expected "
        f"{first!r}: the first failure in loop time, whatever its place in the input (the "
        "clean-up's error came after, from a job that was being cancelled)")
    assert same_time(ended, 1.0 + max(cleanup, 0.25)), (
        f"the error reached the caller at {secs(ended)}; expected at "
        f"{secs(1.0 + max(cleanup, 0.25))}, when the last clean-up ended")


@task6
@pytest.mark.parametrize("cleanup", [0.0, 0.5], ids=["at once", "after 0.5 s"])
def test_a_cancelled_caller_hears_a_cancellation_even_if_a_clean_up_raises(cleanup: float
                                                                            ) -> None:
    """cancelling the caller gives it a CancelledError, even if a cancelled job's clean-up raises"""
    late = RuntimeError("job1's clean-up failed")
    work = [Tidy("job0", 3.0, 0.25), Tidy("job1", 3.0, cleanup, cleanup_error=late)]

    async def scenario() -> tuple[Any, BaseException | None, float]:
        expect_caller(1.0, 1.0 + max(cleanup, 0.25), timeline.CANCELLED)
        caller = asyncio.ensure_future(gather.run_concurrently(work))
        await asyncio.sleep(1.0)
        caller.cancel()
        return *(await settle(caller)), now()

    got, error, ended = run_virtual(scenario)
    assert isinstance(error, asyncio.CancelledError), (
        f"The caller was cancelled at 1.0 s; job1's clean-up then raised {late!r} "
        f"{secs(cleanup)} later. run_concurrently {outcome(got, error)}; expected "
        "CancelledError: a cancelled caller hears its cancellation, not an error of the "
        "clean-up it caused")
    assert same_time(ended, 1.0 + max(cleanup, 0.25)), (
        f"the cancellation reached the caller at {secs(ended)}; expected at "
        f"{secs(1.0 + max(cleanup, 0.25))}, when the last clean-up ended")


@task6
def test_a_future_a_job_returned_is_cancelled_on_a_failure() -> None:
    """a job's Future is cancelled, like a coroutine, when another job fails"""
    futures: list[asyncio.Future[Any]] = []
    boom = ValueError("job1 failed")
    work = [_future_job(3.0, 0, None, futures), _future_job(1.0, 1, boom, futures)]

    async def scenario() -> tuple[Any, BaseException | None, float, list[str]]:
        got, error = await settle(gather.run_concurrently(work))
        return got, error, now(), ["cancelled" if f.cancelled() else "done" if f.done()
                                   else "pending" for f in futures]

    got, error, ended, states = run_virtual(scenario)
    assert error is boom and same_time(ended, 1.0) and states[:1] == ["cancelled"], (
        f"job0 returns a Future of 3.0 s, job1 one that fails at 1.0 s. run_concurrently "
        f"{outcome(got, error)} at {secs(ended)} and left job0's Future "
        f"{states[0] if states else 'never made'}; expected "
        f"{boom!r} at 1.0 s with job0's Future cancelled")


# --- task 7: reject bad input before any job is called ----------------------------------------

BAD_ITEMS = st.sampled_from([42, None, 0, "", "fetch_all", 1.5, "coroutine", "Future"])
# In place of the iterable: a value, one job (or its coroutine, or a Future) not wrapped in a
# list, or a str (iterable, but of letters, not jobs).
NOT_ITERABLE = st.sampled_from(["42", "None", "False", "3.5", "a job", "a coroutine", "a str",
                                "a Future"])
WHOLES: dict[str, Any] = {"42": 42, "None": None, "False": False, "3.5": 3.5, "a str": "fetch"}


@task7
@pytest.mark.parametrize("function", [
    pytest.param("run_sequentially", id="sequentially"),
    pytest.param("run_concurrently", id="concurrently"), pytest.param("compare", id="compare")])
@given(good=st.integers(0, 3), at=st.integers(0, 3), bad=BAD_ITEMS, shape=iterable_shapes(),
       whole=st.none() | NOT_ITERABLE)
@example(good=1, at=1, bad="coroutine", shape="list", whole=None)
@example(good=2, at=0, bad=0, shape="generator", whole=None)
@example(good=0, at=0, bad=42, shape="list", whole="42")
@example(good=0, at=0, bad=42, shape="list", whole="None")
@example(good=0, at=0, bad=42, shape="list", whole="a job")
@example(good=0, at=0, bad=42, shape="list", whole="a coroutine")
@example(good=0, at=0, bad=42, shape="list", whole="a str")
@example(good=0, at=0, bad=42, shape="list", whole="a Future")
@example(good=1, at=0, bad="Future", shape="tuple", whole=None)
@settings(max_examples=5)
def test_rejects_bad_input_before_calling_any_job(function: str, good: int, at: int, bad: Any,
                                                  shape: str, whole: str | None) -> None:
    """rejects a non-iterable or a non-callable item: TypeError showing it, before any job is called

    A non-iterable is None, or a lone job, coroutine or Future not in a list; a str is no list of
    jobs either; a non-callable item is a coroutine object, a Future, 0 or None. The TypeError
    shows the bad value.
    """
    jobs = Jobs()

    async def scenario() -> tuple[Any, BaseException | None, object, str]:
        item = (jobs.make(1.0, name="made")() if bad == "coroutine"
                else asyncio.get_running_loop().create_future() if bad == "Future" else bad)
        if whole is not None:
            lone = {"a job": lambda: jobs.make(1.0, name="lone"),
                    "a coroutine": lambda: jobs.make(1.0, name="made")(),
                    "a Future": lambda: asyncio.get_running_loop().create_future()}
            given = lone[whole]() if whole in lone else WHOLES[whole]
            shown = (f"{given!r} ({whole}, in place of an iterable of jobs)"
                     if whole in {*lone, "a str"} else repr(given))
        else:
            listed: list[Any] = [jobs.make(1.0) for _ in range(good)]
            listed.insert(min(at, good), item)
            given, shown = shaped(listed, shape), f"a {shape} of {good} job(s) and {item!r}"
        try:
            got, error = await settle(getattr(gather, function)(given))
        finally:
            for made in (item, given):
                if inspect.iscoroutine(made):
                    made.close()
        return got, error, given if whole is not None else item, shown

    got, error, culprit, shown = run_virtual(scenario)
    assert isinstance(error, TypeError), (
        f"Called {function} with {shown}. It {outcome(got, error)}, but the spec expected "
        f"TypeError showing {culprit!r}")
    assert shows(str(error), culprit), (
        f"Called {function} with {shown}. It raised TypeError({str(error)!r}); the message "
        f"should show the bad value, {culprit!r}")
    called = [r.name for r in jobs.records if r.calls and r.name != "made"]
    assert not called, (
        f"Called {function} with {shown}. {listing(called)} was called before the bad input "
        "was rejected: check every job first, then run them")


@task7
@pytest.mark.parametrize("bad", [42, None, "fetch_all", "coroutine", "Future"])
async def test_timed_rejects_a_non_callable(bad: object, jobs: Jobs) -> None:
    """rejects a job that is not callable (a coroutine object or a Future too) with TypeError
    showing it"""
    if bad == "coroutine":
        bad = jobs.make(1.0, result="done")()  # timed(fetch()) in place of timed(fetch)
    elif bad == "Future":
        bad = asyncio.get_running_loop().create_future()  # an awaitable, not a job
    try:
        result, error = await settle(gather.timed(bad))
    finally:
        if inspect.iscoroutine(bad):
            bad.close()
    assert isinstance(error, TypeError) and shows(str(error), bad), (
        f"Called timed({bad!r}). It {outcome(result, error)}; the spec expected TypeError "
        f"whose message shows {bad!r}" + (": a coroutine object is a call already made, not a "
                                          "job" if inspect.iscoroutine(bad) else ""))
