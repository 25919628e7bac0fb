"""Behaviour spec of kata 01: coroutines and gather. All times are loop time."""

import asyncio

import pytest

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show

gather = implementation("kata01_gather", "gather")

task1 = pytest.mark.task(1, "run jobs one after another (run_sequentially)")
task2 = pytest.mark.task(2, "run jobs concurrently (run_concurrently)")
task3 = pytest.mark.task(3, "measure a job in loop time (timed)")
task4 = pytest.mark.task(4, "compare both ways of running (compare)")
task5 = pytest.mark.task(5, "report the comparison (Comparison.__str__)")

RUNNERS = [pytest.param("run_sequentially", marks=task1, id="sequentially"),
           pytest.param("run_concurrently", marks=task2, id="concurrently")]


async def rejects_bad_input(function: str, bad: object, jobs: Jobs, named: str) -> None:
    """`function(bad)` raises TypeError naming `named`, before any job starts."""
    await rejects(TypeError, lambda: getattr(gather, function)(bad), shown=f"{function}({bad!r})",
                  named=named)
    started = [r.name for r in jobs.records if r.started]
    assert not started, (
        f"Called {function}({bad!r}). {listing(started)} started before the bad input was "
        "rejected: check every job first, then run them"
    )


@task1
async def test_sequential_total_time_is_the_sum(jobs: Jobs) -> None:
    """awaits the jobs one after another: the total time is the sum"""
    start = now()
    await gather.run_sequentially(jobs.many([1.0, 2.0, 0.5]))
    took = now() - start
    assert jobs.peak, (
        "run_sequentially returned without running any job: calling a job only creates a "
        "coroutine, `await job()` runs it"
    )
    assert jobs.peak == 1, (
        f"run_sequentially ran {jobs.peak} jobs at the same time; it should run one at a time"
    )
    assert took == pytest.approx(3.5), (
        f"3 jobs of 1.0 s, 2.0 s and 0.5 s took {secs(took)} of loop time; "
        "run one after another they should take 3.5 s (the sum)"
    )


@task1
async def test_sequential_results_in_input_order(jobs: Jobs) -> None:
    """returns the results in input order"""
    results = await gather.run_sequentially(jobs.many([0.3, 0.1, 0.2]))
    assert results == [0, 1, 2], (
        f"Called run_sequentially on 3 jobs returning 0, 1 and 2. It returned {show(results)}, "
        "but the spec expected [0, 1, 2]"
    )


@task1
async def test_sequential_accepts_any_iterable(jobs: Jobs) -> None:
    """accepts any iterable of jobs, a generator included"""
    results = await gather.run_sequentially(job for job in jobs.many([0.1, 0.1]))
    assert results == [0, 1], (
        f"Called run_sequentially on a generator of 2 jobs. It returned {show(results)}, "
        "but the spec expected [0, 1]"
    )


@task1
async def test_sequential_stops_at_the_first_failure(jobs: Jobs) -> None:
    """a failing job's exception propagates and later jobs never start"""
    boom = ValueError("boom")
    work = [jobs.make(1.0), jobs.make(1.0, error=boom), jobs.make(1.0)]
    result, error = await settle(gather.run_sequentially(work))
    assert error is boom, (
        f"job1 raised {boom!r}; run_sequentially {outcome(result, error)}. Expected that very "
        "error to reach the caller"
    )
    assert not jobs.records[2].started, (
        "job1 raised, yet run_sequentially went on to start job2: the error should end the run"
    )


@pytest.mark.parametrize("function", RUNNERS)
async def test_empty_input_gives_an_empty_list(function: str) -> None:
    """an empty input gives an empty list, at once"""
    start = now()
    results = await getattr(gather, function)([])
    assert results == [], f"Called {function}([]). It returned {show(results)}, expected []"
    assert now() == start, f"{function}([]) took {secs(now() - start)}; it should take none"


@pytest.mark.parametrize("function", RUNNERS)
async def test_rejects_a_non_iterable(function: str, jobs: Jobs) -> None:
    """rejects a non-iterable `jobs` with TypeError"""
    await rejects_bad_input(function, 42, jobs, named="42")


@pytest.mark.parametrize("function", RUNNERS)
async def test_rejects_a_job_that_is_not_callable(function: str, jobs: Jobs) -> None:
    """rejects a job that is not callable with TypeError, before starting any job"""
    await rejects_bad_input(function, [jobs.make(1.0), 42], jobs, named="42")


@pytest.mark.parametrize("function", RUNNERS)
async def test_rejects_a_coroutine_object(function: str, jobs: Jobs) -> None:
    """rejects a coroutine object (a call, not a job) with TypeError that says so"""
    coroutine = jobs.make(1.0)()
    try:
        await rejects_bad_input(function, [jobs.make(1.0), coroutine], jobs, named="coroutine")
    finally:
        coroutine.close()


@task2
async def test_concurrent_total_time_is_the_slowest(jobs: Jobs) -> None:
    """runs the jobs at the same time: the total is the slowest job, not the sum"""
    start = now()
    await gather.run_concurrently(jobs.many([1.0, 1.0, 1.0]))
    took = now() - start
    assert took == pytest.approx(1.0), (
        f"3 one-second jobs took {secs(took)} of loop time; "
        "run concurrently they should take 1.0 s"
    )
    assert jobs.peak == 3, f"only {jobs.peak} of the 3 jobs were ever running at the same time"


@task2
async def test_concurrent_results_in_input_order(jobs: Jobs) -> None:
    """returns the results in input order, not in the order jobs finish"""
    results = await gather.run_concurrently(jobs.many([0.3, 0.1, 0.2]))
    assert results == [0, 1, 2], (
        f"Jobs returning 0, 1 and 2 finish in the order 1, 2, 0. run_concurrently returned "
        f"{show(results)}, but the spec expected [0, 1, 2]: results follow the input order"
    )


@task2
async def test_concurrent_failure_is_the_jobs_own_exception(jobs: Jobs) -> None:
    """a failure reaches the caller as the job's own exception, not wrapped in a group"""
    boom = ValueError("boom")
    work = [jobs.make(1.0), jobs.make(0.5, error=boom), jobs.make(2.0)]
    result, error = await settle(gather.run_concurrently(work))
    assert error is boom, (
        f"job1 raised {boom!r} after 0.5 s. run_concurrently {outcome(result, error)}; the spec "
        "expected that very ValueError (if you use a TaskGroup, unwrap its ExceptionGroup)"
    )


@task2
async def test_concurrent_failure_cancels_the_others(jobs: Jobs) -> None:
    """when a job fails, the others are cancelled and have cleaned up before the error arrives"""
    work = [jobs.make(1.0, cleanup_s=0.25), jobs.make(0.5, error=ValueError("boom")),
            jobs.make(2.0, cleanup_s=0.25)]
    start = now()
    result, error = await settle(gather.run_concurrently(work))
    took = now() - start
    assert isinstance(error, ValueError), (
        f"job1 raised ValueError('boom'); run_concurrently {outcome(result, error)}"
    )
    running = jobs.still_running
    assert not running, (
        f"When job1 failed at 0.5 s, {listing(running)} had not been cancelled and cleaned up "
        "by the time the error reached the caller: orphaned jobs keep running unseen. "
        "Cancel the others and wait for them (a TaskGroup does both)"
    )
    assert took < 1.0, (
        f"The error reached the caller after {secs(took)}; job1 failed at 0.5 s, so the caller "
        "should hear of it at once, not after the other jobs finish"
    )


@task2
async def test_cancelling_the_caller_cancels_the_jobs(jobs: Jobs) -> None:
    """cancelling run_concurrently cancels every job it started"""
    caller = asyncio.create_task(gather.run_concurrently(jobs.many([5.0, 5.0])))
    await asyncio.sleep(1.0)
    caller.cancel()
    result, error = await settle(caller)
    assert isinstance(error, asyncio.CancelledError), (
        f"run_concurrently was cancelled at 1.0 s and {outcome(result, error)}; the cancellation "
        "should propagate"
    )
    running = jobs.still_running
    assert not running, (
        f"The caller was cancelled at 1.0 s, but {listing(running)} went on running: "
        "cancelling run_concurrently must cancel the jobs it started"
    )


@task3
async def test_timed_measures_loop_time(jobs: Jobs) -> None:
    """returns the job's result and how long it took, in seconds of loop time"""
    await asyncio.sleep(1.0)  # the measurement starts when timed() is called
    measured = await gather.timed(jobs.make(2.5, result="done"))
    assert measured.result == "done", (
        f"timed(job) returned result={show(measured.result)}; the job returned 'done'"
    )
    assert measured.seconds == pytest.approx(2.5), (
        f"A job that sleeps 2.5 s of loop time was measured at {secs(measured.seconds)}. "
        "Measure with asyncio.get_running_loop().time(), the clock asyncio sleeps by "
        "(time.monotonic() knows nothing of virtual time), from start to end of the job"
    )


@task3
async def test_timed_propagates_failures(jobs: Jobs) -> None:
    """lets a failing job's exception propagate"""
    boom = ValueError("boom")
    result, error = await settle(gather.timed(jobs.make(1.0, error=boom)))
    assert error is boom, f"the job raised {boom!r}; timed {outcome(result, error)}"


@task3
async def test_timed_rejects_a_non_callable(jobs: Jobs) -> None:
    """rejects a job that is not callable with TypeError"""
    await rejects_bad_input("timed", 42, jobs, named="42")


@task4
async def test_compare_times_both_runs(jobs: Jobs) -> None:
    """reports the sequential time (the sum), the concurrent time (the slowest) and their ratio"""
    result = await gather.compare(jobs.many([1.0, 2.0, 3.0]))
    expected = (6.0, 3.0, 2.0)
    assert tuple(result) == pytest.approx(expected), (
        f"Jobs of 1.0 s, 2.0 s and 3.0 s. compare returned {result!r}; the spec expected "
        "sequential_s=6.0 (the sum), concurrent_s=3.0 (the slowest), speedup=2.0 (6.0 / 3.0)"
    )


@task4
async def test_compare_calls_each_job_twice(jobs: Jobs) -> None:
    """calls each job twice: once for each way of running"""
    await gather.compare(jobs.many([1.0, 1.0]))
    calls = [len(r.starts) for r in jobs.records]
    assert calls == [2, 2], f"each job should be started twice, once per run; counts: {calls}"


@task4
async def test_compare_with_no_jobs() -> None:
    """with no jobs, both runs take 0 s and the speed-up is 1.0"""
    result = await gather.compare([])
    assert tuple(result) == (0.0, 0.0, 1.0), (
        f"compare([]) returned {result!r}; expected (0.0, 0.0, 1.0): no time either way, "
        "so no speed-up (and no division by zero)"
    )


@task4
async def test_compare_rejects_bad_input(jobs: Jobs) -> None:
    """rejects bad input with TypeError"""
    await rejects_bad_input("compare", [jobs.make(1.0), 42], jobs, named="42")


@task5
def test_report_names_both_times_and_the_speedup() -> None:
    """str(comparison) names the sequential time, the concurrent time and the speed-up"""
    import re

    text = str(gather.Comparison(4.5, 1.5, 3.0))
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    missing = [n for n in (4.5, 1.5, 3.0) if n not in numbers]
    assert not missing, (
        f"str(Comparison(4.5, 1.5, 3.0)) gave {text!r}, which does not mention "
        f"{listing(missing)}; the report should show both times and the speed-up"
    )
