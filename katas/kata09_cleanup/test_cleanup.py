"""Behaviour spec of kata 09: structured concurrency and resource clean-up. Loop time."""

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, names, same_time
from specs.properties import (
    CALLABLE_STYLES,
    callable_styles,
    durations,
    iterable_shapes,
    run_virtual,
    shaped,
)

cleanup = implementation("kata09_cleanup", "cleanup")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)
task6 = pytest.mark.task(6)



class Connection:
    """A pooled connection: closing it takes 0.1 s."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False

    async def close(self) -> None:
        await asyncio.sleep(0.1)
        self.closed = True

    def __repr__(self) -> str:
        return f"<connection {self.number}>"


class Factory:
    """Makes connections, 0.2 s each (or `seconds`); remembers them all. The first calls
    fail, one with each error of `failures`, after the same 0.2 s."""

    def __init__(self, seconds: float = 0.2, failures: tuple[Exception, ...] = ()) -> None:
        self.seconds = seconds
        self.failures = list(failures)
        self.made: list[Connection] = []

    async def __call__(self) -> Connection:
        await asyncio.sleep(self.seconds)
        if self.failures:
            raise self.failures.pop(0)
        self.made.append(Connection(len(self.made)))
        return self.made[-1]


class Source:
    """An async context manager over `count` items, read at 0.1 s each."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.reads = 0
        self.opened = self.closed = False

    async def __aenter__(self) -> "Source":
        self.opened = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.closed = True

    async def read(self) -> int | None:
        await asyncio.sleep(0.1)
        if self.reads == self.count:
            return None
        self.reads += 1
        return self.reads


class ListSource(Source):
    """A source of the given items (falsy ones too), read at 0.1 s each; then None. Read number
    `fails` (from 0), if any, raises `error` instead."""

    def __init__(self, items: list[Any], fails: int | None = None,
                 error: BaseException | None = None) -> None:
        super().__init__(len(items))
        self.items, self.fails, self.error = items, fails, error

    async def read(self) -> Any:
        await asyncio.sleep(0.1)
        if self.reads == self.fails and self.error is not None:
            self.reads += 1
            raise self.error
        if self.reads == len(self.items):
            self.reads += 1  # the read that finds the end counts too
            return None
        self.reads += 1
        return self.items[self.reads - 1]


def expect_ends(row: str, *ends: tuple[float, float, str]) -> None:
    """State that `row` waited from each start to its end, then ended as its kind says
    (`timeline.RETURNED`, `FAILED` or `CANCELLED`)."""
    for start, end, kind in ends:
        timeline.expect(row, start, end, timeline.WAIT)
        timeline.expect(row, end, kind=kind)


def expect_job(row: str, start: float, end: float, kind: str | None = None,
               cleanup: float = 0.0) -> None:
    """State that job `row` ran from `start` to `end`, then was cancelled or failed (`kind`,
    if any) and cleaned up for `cleanup` seconds."""
    timeline.expect(row, start, end)
    if kind is not None:
        timeline.expect(row, end, kind=kind)
    timeline.expect(row, end, end + cleanup, timeline.CLEANUP)


async def use(pool: Any, seconds: float, using: list[Any], peak: list[int]) -> Any:
    """Hold a connection for `seconds`, tracking how many are in use at once."""
    async with pool.acquire() as connection:
        using.append(connection)
        peak[0] = max(peak[0], len(using))
        try:
            await asyncio.sleep(seconds)
        finally:
            using.remove(connection)
    return connection


# Task 1: run jobs in a task group: `run_group(jobs)`.

@task1
async def test_group_results_in_order(jobs: Jobs) -> None:
    """runs the jobs concurrently; results in input order"""
    for row, seconds in (("job0", 2.0), ("job1", 1.0), ("job2", 3.0)):
        expect_job(row, now(), now() + seconds)
    got = await cleanup.run_group(jobs.many([2.0, 1.0, 3.0]))
    assert got == [0, 1, 2] and same_time(now(), 3.0), (
        f"run_group on jobs of 2, 1 and 3 s returned {show(got)} after {secs(now())}; "
        "expected [0, 1, 2] after 3.0 s"
    )


@task1
async def test_group_failure_is_an_exception_group(jobs: Jobs) -> None:
    """a failure reaches the caller as the TaskGroup's ExceptionGroup, after the clean-ups"""
    boom = ValueError("boom")
    work = [jobs.make(5.0, cleanup_s=0.5), jobs.make(1.0, error=boom), jobs.make(5.0)]
    start = now()  # job1 fails at 1 s: the others are cancelled, job0 cleans up for 0.5 s
    expect_job("job0", start, start + 1.0, timeline.CANCELLED, cleanup=0.5)
    expect_job("job1", start, start + 1.0, timeline.FAILED)
    expect_job("job2", start, start + 1.0, timeline.CANCELLED)
    expect_ends("caller", (start, start + 1.5, timeline.FAILED))
    result, error = await settle(cleanup.run_group(work))
    assert isinstance(error, BaseExceptionGroup) and list(error.exceptions) == [boom], (
        f"job1 raised {boom!r}; run_group {outcome(result, error)}. Expected an ExceptionGroup "
        "holding exactly that error: here the group itself is the answer, do not unwrap it"
    )
    assert not jobs.still_running and same_time(now(), 1.5), (
        f"when the group reached the caller at {secs(now())}, {listing(jobs.still_running)} "
        "had not finished cleaning up; expected all cancelled and cleaned up, at 1.5 s"
    )


@task1
async def test_group_keeps_every_failure(jobs: Jobs) -> None:
    """jobs failing at the same moment are all in the ExceptionGroup"""
    first, second = ValueError("first"), KeyError("second")
    work = [jobs.make(1.0, error=first), jobs.make(2.0), jobs.make(1.0, error=second)]
    start = now()
    for row, kind in (("job0", timeline.FAILED), ("job1", timeline.CANCELLED),
                      ("job2", timeline.FAILED)):
        expect_job(row, start, start + 1.0, kind)
    expect_ends("caller", (start, start + 1.0, timeline.FAILED))
    result, error = await settle(cleanup.run_group(work))
    held = list(getattr(error, "exceptions", []))
    both = set(map(id, held)) == {id(first), id(second)}
    assert isinstance(error, BaseExceptionGroup) and both, (
        f"two jobs failed at 1 s with {first!r} and {second!r}; run_group "
        f"{outcome(result, error)} (holding {held}). Expected a group with both"
    )


@task1
async def test_cancelling_the_group_cancels_its_jobs(jobs: Jobs) -> None:
    """cancelling run_group cancels every job; the caller sees a cancellation, not a group"""
    start = now()
    for row in ("job0", "job1"):
        expect_job(row, start, start + 1.0, timeline.CANCELLED)
    expect_ends("caller", (start + 1.0, start + 1.0, timeline.CANCELLED))
    caller = asyncio.create_task(cleanup.run_group(jobs.many([5.0, 5.0])))
    await asyncio.sleep(1.0)
    caller.cancel()
    result, error = await settle(caller)
    assert isinstance(error, asyncio.CancelledError) and not jobs.still_running, (
        f"run_group was cancelled at 1 s: it {outcome(result, error)} and "
        f"{listing(jobs.still_running)} still ran; expected a cancellation, every job cancelled"
    )


RESULTS = (0, None, "", False, 4, "five", 6)


class GroupJob:
    """A job for run_group: runs `seconds`, then returns its result or raises `error`; if it is
    cancelled, it cleans up for `cleanup` seconds first, and then its clean-up fails with
    `spoiled` (if any). Records when it was called."""

    def __init__(self, index: int, seconds: float, cleanup: float,
                 error: BaseException | None, spoiled: BaseException | None = None) -> None:
        self.index, self.seconds, self.cleanup, self.error = index, seconds, cleanup, error
        self.spoiled = spoiled
        self.calls: list[float] = []
        self.cancelled: list[float] = []
        self.cleaned: list[float] = []

    def __call__(self) -> Any:
        self.calls.append(now())
        return self.run()

    async def run(self) -> Any:
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancelled.append(now())
            await asyncio.sleep(self.cleanup)
            self.cleaned.append(now())
            if self.spoiled is not None:
                raise self.spoiled from None
            raise
        if self.error is not None:
            raise self.error
        return RESULTS[self.index]


@task1
@given(seconds=st.lists(durations(0.001, 3.0), min_size=1, max_size=5),
       failing=st.sets(st.integers(0, 4), max_size=3),
       cleanups=st.lists(durations(0.001, 1.0), min_size=5, max_size=5),
       cancel=st.none() | durations(0.001, 3.0), twice=st.none() | st.integers(0, 4),
       shape=iterable_shapes(), style=callable_styles(),
       spoiled=st.sets(st.integers(0, 4), max_size=2))
@example(seconds=[2.0, 1.0, 3.0], failing={1}, cleanups=[0.5, 0.25, 0.125, 1.0, 1.0],
         cancel=None, twice=None, shape="list", style="function", spoiled={2})
@example(seconds=[1.0, 1.0, 2.0], failing={0, 1}, cleanups=[0.333] * 5, cancel=None, twice=0,
         shape="generator", style="partial", spoiled=set())
@example(seconds=[1.0, 5.0, 0.25], failing=set(), cleanups=[0.1, 0.75, 0.2, 1.0, 1.0],
         cancel=0.5, twice=None, shape="tuple", style="callable object", spoiled={0, 1})
@settings(max_examples=8)
def test_any_group_ends_as_a_task_group_does(seconds: list[float], failing: set[int],
                                             cleanups: list[float], cancel: float | None,
                                             twice: int | None, shape: str, style: str,
                                             spoiled: set[int]) -> None:
    """for any jobs: results in order, or the group of every failure, or a cancellation, each once
    every clean-up is over

    The jobs may be a generator, list a job twice, be any callable and give falsy results; they fail
    or not, some failing in their clean-up once cancelled, and the caller is cancelled or not. Each
    outcome comes only once every cancelled job has cleaned up.
    """
    failing = {i for i in failing if i < len(seconds)}
    # failures end half a millisecond off the grid: never at the instant another job ends
    lengths = [s + 0.0005 if i in failing else s for i, s in enumerate(seconds)]
    errors = {i: (ValueError, KeyError, OSError)[i % 3](f"job {i} failed") for i in failing}
    order = [*range(len(seconds)), *([twice] if twice is not None and twice < len(seconds)
                                     else [])]
    first = min((lengths[i] for i in order if i in failing), default=None)
    end = first if first is not None else max(lengths)
    cut = cancel + 0.00025 if cancel is not None and cancel < end else None  # off the grid
    # a clean-up that fails once its job is cancelled is a failure too (not drawn for a
    # cancelled caller, who must stay cancelled)
    spoils = {i: RuntimeError(f"job {i}'s clean-up failed") for i in spoiled
              if i < len(seconds) and cut is None}
    made = [GroupJob(i, lengths[i], cleanups[i], errors.get(i), spoils.get(i))
            for i in range(len(seconds))]
    stop = cut if cut is not None else first
    hit = [i for i in order if stop is not None and lengths[i] > stop]
    ends = (stop + max((cleanups[i] for i in hit), default=0.0)) if stop is not None else end
    cleaned_when_raised: list[list[float]] = []

    async def scenario() -> tuple[Any, BaseException | None, float]:
        call = asyncio.create_task(cleanup.run_group(shaped(
            [CALLABLE_STYLES[style](made[i]) for i in order], shape)))
        if cut is not None:
            await asyncio.sleep(cut)
            call.cancel()
        result, error = await settle(call)
        cleaned_when_raised.extend(job.cleaned[:] for job in made)
        return result, error, now()

    result, error, at = run_virtual(scenario)
    expect_ends("caller", (0.0 if cut is None else cut, ends, timeline.CANCELLED if cut is not None
                           else timeline.FAILED if first is not None else timeline.RETURNED))
    given_as = (f"With jobs of {listing(secs(seconds[i]) for i in order)} (a {shape} of {style}s"
                + (f", job {twice} listed again at the end" if len(order) > len(made) else "")
                + ")" + (f", job {listing(sorted(failing))} failing at the end" if failing else "")
                + (f", the clean-up of job {listing(sorted(spoils))} failing if it is "
                   "cancelled" if spoils else "")
                + (f", the caller cancelled at {secs(cut)}" if cut is not None else ""))
    got = f"{given_as}, run_group {outcome(result, error)} at {secs(at)}"
    for job in made:
        assert same_time(job.calls, [0.0] * order.count(job.index)), (
            f"{given_as}, job {job.index} was called at {job.calls}; expected once per "
            "listing, all at 0.0 s")
    if cut is not None:
        assert isinstance(error, asyncio.CancelledError), (
            f"{got}; expected CancelledError: a cancelled caller stays cancelled")
    elif first is not None:
        expected = [errors[i] for i in order if i in failing and lengths[i] == first]
        spoilt = [spoils[i] for i in hit if i in spoils]
        held = list(getattr(error, "exceptions", []))
        assert isinstance(error, BaseExceptionGroup) and sorted(map(id, held)) == sorted(
            map(id, expected + spoilt)), (
            f"{got} (holding {held}); expected the TaskGroup's ExceptionGroup holding "
            f"exactly {listing(map(repr, expected + spoilt))}: the jobs that failed at "
            f"{secs(first)}" + (", and the clean-ups that failed once cancelled (a job that "
                                "fails while it is cancelled has failed too)" if spoilt else ""))
    else:
        assert error is None and result == [RESULTS[i] for i in order] and all(
            type(r) is type(RESULTS[i]) for r, i in zip(result, order, strict=True)), (
            f"{got}; expected {show([RESULTS[i] for i in order])}, each job's own result "
            "in input order")
    assert same_time(at, ends), (
        f"{got}; expected at {secs(ends)}: " + (
            f"the jobs still running at {secs(stop)} are cancelled and clean up "
            f"({listing(secs(cleanups[i]) for i in hit)}), and only then does the caller "
            "hear of it" if hit else "when the last job is done"))
    for i in hit:
        assert cleaned_when_raised[i], (
            f"{got}, but job {i} had not finished its clean-up then: wait for the cancelled "
            "jobs (a TaskGroup does)")


class StubbornJob:
    """A job for run_group that runs `seconds` (then raises `error`, if any); cancelled, it
    cleans up for `cleanup` seconds. It notes every cancellation that reaches it (a second
    one cuts its clean-up short) and when its clean-up was done."""

    def __init__(self, seconds: float, cleanup: float,
                 error: BaseException | None = None) -> None:
        self.seconds, self.cleanup, self.error = seconds, cleanup, error
        self.cancels: list[float] = []
        self.cleaned: list[float] = []

    async def __call__(self) -> float:
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancels.append(now())
            try:
                await asyncio.sleep(self.cleanup)
            except asyncio.CancelledError:
                self.cancels.append(now())
                raise
            self.cleaned.append(now())
            raise
        if self.error is not None:
            raise self.error
        return self.seconds


@task1
@pytest.mark.parametrize("first", ["the caller is cancelled", "a job fails"])
async def test_a_second_cancellation_cuts_no_clean_up_short(first: str) -> None:
    """a second cancellation of the caller cuts no job's clean-up short

    Each job is cancelled once and its clean-up runs to its end, even when the caller is
    cancelled again while the jobs clean up.

    The jobs are cancelled at 1.0 s (the caller is cancelled, or a job fails); the caller is
    cancelled again at 1.5 s and at 2.5 s; the clean-ups take 2, 3 and 1 s.
    """
    failure = QueryFailed("job 0 failed")
    cleaning = [StubbornJob(10.0, seconds) for seconds in (2.0, 3.0, 1.0)]
    work = ([StubbornJob(1.0, 0.0, failure)] if first == "a job fails" else []) + cleaning
    caller = asyncio.create_task(cleanup.run_group(work))
    cancels = [1.5, 2.5] if first == "a job fails" else [1.0, 1.5, 2.5]
    if first == "the caller is cancelled":  # it ends once the last clean-up is done
        timeline.expect("caller", now() + 4.0, kind=timeline.CANCELLED)
    for at in cancels:
        await asyncio.sleep(at - now())
        if not caller.done():
            caller.cancel()
    result, error, at = await ended(caller)
    given_as = (f"run_group(jobs cleaning up for 2, 3 and 1 s once cancelled), {first} at 1.0 s, "
                f"the caller cancelled {'again ' if first != 'a job fails' else ''}at 1.5 s "
                "and 2.5 s")
    assert at is not None, f"{given_as}: run_group had not ended 10 s later"
    cut = [f"job {i} got {len(job.cancels)} cancellations (at "
           f"{listing(secs(t) for t in job.cancels)})"
           for i, job in enumerate(cleaning) if len(job.cancels) != 1]
    assert not cut, (
        f"{given_as}: {listing(cut)}, and run_group {outcome(result, error)} at {secs(at)}; "
        "expected each job cancelled once, at 1.0 s: a second cancellation of the caller must "
        "not reach the jobs again and cut their clean-up short (a TaskGroup waits on)")
    unfinished = [f"job {i}" for i, job in enumerate(cleaning)
                  if not same_time(job.cleaned, [1.0 + job.cleanup])]
    assert not unfinished and same_time(at, 4.0), (
        f"{given_as}: run_group {outcome(result, error)} at {secs(at)}, "
        + (f"{listing(unfinished)} had not finished its clean-up by then"
           if unfinished else "the clean-ups ended at 3.0, 4.0 and 2.0 s")
        + "; expected it to end at 4.0 s, once the last clean-up is done: a caller cancelled "
        "again still waits for every clean-up")
    if first == "the caller is cancelled":
        assert isinstance(error, asyncio.CancelledError), (
            f"{given_as}: run_group {outcome(result, error)}; expected CancelledError")


# Task 2: a connection pool: `Pool(factory, size)`, `pool.acquire()`.

@task2
async def test_pool_reuses_connections() -> None:
    """lends connections and takes them back: one after another, one connection serves all"""
    factory = Factory()
    pool = cleanup.Pool(factory, 3)
    assert pool.closed is False, f"a new pool should say closed=False, not {pool.closed!r}"
    lent = [await use(pool, 1.0, [], [0]) for _ in range(4)]
    assert len(factory.made) == 1 and len(set(map(id, lent))) == 1, (
        f"4 uses one after another made {len(factory.made)} connections ({lent}); a returned "
        "connection should be lent again, not replaced"
    )
    await pool.close()


@task2
async def test_pool_never_lends_more_than_its_size() -> None:
    """never more than `size` connections in use; the others wait their turn"""
    factory = Factory()
    pool = cleanup.Pool(factory, 2)
    using: list[Any] = []
    peak = [0]
    async with asyncio.TaskGroup() as group:
        for _ in range(6):
            group.create_task(use(pool, 1.0, using, peak))
    assert peak[0] == 2 and len(factory.made) == 2, (
        f"6 concurrent users of Pool(size=2): up to {peak[0]} connections were in use at once "
        f"and {len(factory.made)} were made; expected 2 and 2"
    )
    assert same_time(now(), 3.2), (
        f"6 uses of 1 s, 2 at a time (after making 2 connections in 0.2 s) took {secs(now())}; "
        "expected 3.2 s"
    )
    await pool.close()


@task2
async def test_a_connection_comes_back_after_an_error() -> None:
    """a connection comes back when the block raises, and is lent again"""
    factory = Factory()
    pool = cleanup.Pool(factory, 1)
    with contextlib.suppress(RuntimeError):
        async with pool.acquire():
            raise RuntimeError("the query failed")
    expect_ends("caller", (now(), now() + 0.5, timeline.RETURNED))  # lent again at once
    result, error = await settle(asyncio.wait_for(use(pool, 0.5, [], [0]), timeout=10))
    assert error is None and result is factory.made[0], (
        f"after a block that raised, the next user {outcome(result, error)} (connections made: "
        f"{factory.made}); the connection should have come back to the pool and be reused"
    )
    await pool.close()


@task2
async def test_a_connection_comes_back_after_a_cancellation() -> None:
    """a connection comes back when its holder is cancelled"""
    factory = Factory()
    pool = cleanup.Pool(factory, 1)
    holder = asyncio.create_task(use(pool, 60.0, [], [0]))
    await asyncio.sleep(1.0)
    expect_ends("caller", (now(), now(), timeline.CANCELLED),  # the holder, cancelled at 1 s
                (now(), now() + 0.5, timeline.RETURNED))  # the next user, lent it at once
    holder.cancel()
    await settle(holder)
    result, error = await settle(asyncio.wait_for(use(pool, 0.5, [], [0]), timeout=10))
    assert error is None and result is factory.made[0], (
        f"after the holder was cancelled, the next user {outcome(result, error)}; the "
        "connection should have come back to the pool"
    )
    await pool.close()


async def ended(task: asyncio.Task[Any], within: float = 10.0) -> tuple[Any, Any, float | None]:
    """Wait up to `within` seconds for `task`: its result, its error and when it ended; a task
    still running then is cancelled, and ends at None."""
    await asyncio.wait([task], timeout=within)
    if not task.done():
        task.cancel()
        await settle(task)
        return None, None, None
    result, error = await settle(task)
    return result, error, now()


@task2
async def test_a_failed_connection_frees_its_place() -> None:
    """when the factory fails, acquire raises its error and frees the place: a waiting task then
    gets a connection

    With size 1, a task waiting for a connection then gets one.
    """
    refused = ConnectionRefusedError("the database refused the connection")
    factory = Factory(failures=(refused,))
    pool = cleanup.Pool(factory, 1)
    start = now()  # the first user fails at 0.2 s; the waiter is done at 1.4 s
    timeline.expect("caller", start + 0.2, kind=timeline.FAILED)
    timeline.expect("caller", start + 1.4, kind=timeline.RETURNED)
    first = asyncio.create_task(use(pool, 1.0, [], [0]))
    await asyncio.sleep(0.1)
    waiter = asyncio.create_task(use(pool, 1.0, [], [0]))
    result, error, at = await ended(first)
    given_as = ("With Pool(size=1) and a factory whose first call fails after 0.2 s, a task "
                "asking at 0.0 s")
    did = ("was still waiting 10 s later" if at is None else f"was lent {show(result)}"
           if error is None else f"{outcome(result, error)} at {secs(at)}")
    assert error is refused and same_time(at, 0.2), (
        f"{given_as} {did}; expected the factory's own error, {refused!r}, to come out of "
        "`async with pool.acquire()` at 0.2 s")
    result, error, at = await ended(waiter)
    await pool.close()
    assert error is None and result is not None and result in factory.made and (
        same_time(at, 1.4)), (
        f"{given_as}, then one asking at 0.1 s (holding its connection 1 s): the second "
        + (f"{outcome(result, error)} at {secs(at)}" if at is not None
           else "still had no connection 10 s later")
        + f" (connections made: {factory.made}); expected it to be lent a new connection at "
        "0.4 s and be done at 1.4 s: a failed factory call frees its place at once")


@task2
async def test_an_idle_connection_is_lent_at_once() -> None:
    """two connections come back at the same moment while a task waits: the waiter gets one, a
    newcomer the other at once

    A task asking at that moment gets the other connection at once.
    """
    factory = Factory()
    pool = cleanup.Pool(factory, 2)
    both_back = asyncio.Event()
    lent: dict[str, float] = {}

    async def holder() -> None:
        async with pool.acquire():
            await asyncio.sleep(1.0)
            both_back.set()  # the other holder gives its connection back at this moment too

    async def holder_asking_again() -> None:
        async with pool.acquire():
            await both_back.wait()
        async with pool.acquire():
            lent["asked again"] = now()
            await asyncio.sleep(1.0)

    async def waiter() -> None:
        await asyncio.sleep(0.5)
        async with pool.acquire():
            lent["waiting"] = now()
            await asyncio.sleep(1.0)

    tasks = [asyncio.create_task(job()) for job in (holder, holder_asking_again, waiter)]
    await asyncio.wait(tasks, timeout=10.0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await pool.close()
    expected = {"waiting": 1.2, "asked again": 1.2}
    assert same_time(sorted(lent.items()), sorted(expected.items())), (
        f"With Pool(size=2), two holders gave their connections back at 1.2 s while a task "
        f"had waited since 0.5 s, and one holder asked again at once: the connections were "
        f"lent at {lent} (made: {factory.made}); expected {expected}: the waiter gets one, and "
        "the other is idle, so it is lent at once (wake every task that may now go on)")


@task2
@pytest.mark.parametrize("barger", ["the holder asking again", "a newcomer"])
async def test_no_task_barges_past_the_waiting_ones(barger: str) -> None:
    """a connection that comes back goes to the longest-waiting task: first come, first served

    It goes to that task even when another task (its holder again, or a newcomer) asks for one at
    that very moment.
    """
    pool = cleanup.Pool(Factory(), 1)
    lent: list[tuple[str, float]] = []
    newcomer_asks = asyncio.Event()

    async def user(name: str, after: float) -> None:
        await asyncio.sleep(after)
        if name == "newcomer":
            await newcomer_asks.wait()
        async with pool.acquire():
            lent.append((name, now()))
            await asyncio.sleep(1.0)

    async def holder() -> None:
        async with pool.acquire():
            lent.append(("holder", now()))
            await asyncio.sleep(1.0)
            newcomer_asks.set()  # the newcomer asks as the connection comes back
        if barger == "the holder asking again":
            async with pool.acquire():
                lent.append(("holder again", now()))
                await asyncio.sleep(1.0)

    tasks = [asyncio.create_task(holder()), asyncio.create_task(user("waiter 1", 0.5)),
             asyncio.create_task(user("waiter 2", 0.8))]
    if barger == "a newcomer":
        tasks.append(asyncio.create_task(user("newcomer", 0.0)))
    await asyncio.wait(tasks, timeout=10.0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await pool.close()
    last = "holder again" if barger == "the holder asking again" else "newcomer"
    expected = [("holder", 0.2), ("waiter 1", 1.2), ("waiter 2", 2.2), (last, 3.2)]
    assert [name for name, _ in lent] == [name for name, _ in expected] and all(
        same_time(at, want) for (_, at), (_, want) in zip(lent, expected, strict=True)), (
        f"With Pool(size=1), the holder (lent at 0.2 s) gave its connection back at 1.2 s while "
        f"waiter 1 had waited since 0.5 s and waiter 2 since 0.8 s, and "
        f"{'the holder asked again' if last == 'holder again' else 'a newcomer asked'} at that "
        f"very moment: the connection was lent to {listing(f'{n} at {secs(a)}' for n, a in lent)}"
        f"; expected {listing(f'{n} at {secs(a)}' for n, a in expected)}: a task that asks "
        "now queues behind the tasks already waiting, even if a connection is idle for an "
        "instant (hand it to the longest waiter, do not leave it for whoever comes first)")


@task2
@pytest.mark.parametrize("when", ["just before", "just after"])
async def test_a_waiter_cancelled_as_the_connection_comes_back_passes_it_on(when: str) -> None:
    """a waiting task cancelled as a connection comes back for it: the next waiting task gets it at
    once

    Cancelled just before or just after the connection comes back, the task does not take it with
    it: cancelled while waiting, it never enters its block; already inside its block (a pool
    whose giving back takes a few loop steps may have lent it the connection by then), it gives
    the connection back. Either way the next waiter gets it at the same loop time.
    """
    factory = Factory()
    pool = cleanup.Pool(factory, 1)
    lent: dict[str, float] = {}
    cancelled_inside: dict[str, float] = {}  # the cancel found the task in its block, at ...

    async def user(name: str, after: float) -> None:
        await asyncio.sleep(after)
        async with pool.acquire():
            lent[name] = now()
            try:
                await asyncio.sleep(1.0)
            except asyncio.CancelledError:
                cancelled_inside[name] = now()
                raise

    first, second = (asyncio.create_task(user(name, after))
                     for name, after in (("waiter 1", 0.5), ("waiter 2", 0.8)))
    start = now()  # waiter 1 ends cancelled at 1.2 s; waiter 2 (lent then) and the holder at 2.2 s
    timeline.expect("caller", start + 1.2, kind=timeline.CANCELLED)
    for _ in range(2):
        timeline.expect("caller", start + 2.2, kind=timeline.RETURNED)

    async def holder() -> None:
        async with pool.acquire():
            await asyncio.sleep(1.0)
            if when == "just before":
                first.cancel()
        if when == "just after":
            first.cancel()  # the connection came back: waiter 1 was handed it, or woken for it

    holding = asyncio.create_task(holder())
    _, cancelled_error, _ = await ended(first)
    result, error, at = await ended(second)
    await settle(holding)
    await pool.close()
    given_as = (f"With Pool(size=1), waiter 1 (since 0.5 s) was cancelled {when} the connection "
                "came back at 1.2 s, while waiter 2 had waited since 0.8 s")
    # Lent the connection the moment it came back, and the cancel found it inside its block.
    inside = (when == "just after" and "waiter 1" in lent and "waiter 1" in cancelled_inside
              and same_time(lent["waiter 1"], 1.2) and same_time(cancelled_inside["waiter 1"], 1.2))
    assert isinstance(cancelled_error, asyncio.CancelledError) and (
            "waiter 1" not in lent or inside), (
        f"{given_as}: waiter 1 {outcome(None, cancelled_error)}"
        + (f" after being lent a connection at {secs(lent['waiter 1'])}" if "waiter 1" in lent
           else "")
        + (f" (the cancel found it inside its block at {secs(cancelled_inside['waiter 1'])})"
           if "waiter 1" in cancelled_inside else
           " (the cancel never reached its block)" if "waiter 1" in lent else "")
        + "; expected it cancelled without a connection, or, if it was already inside its block "
        "when the cancel came (lent the connection at 1.2 s), cancelled there")
    assert at is not None and error is None and same_time(lent.get("waiter 2"), 1.2) and (
        len(factory.made) == 1), (
        f"{given_as}: waiter 2 " + (f"was lent a connection at {secs(lent['waiter 2'])}"
                                    if "waiter 2" in lent else "got no connection")
        + (f" and {outcome(result, error)}" if at is not None else " within 10 s")
        + f" ({len(factory.made)} connection(s) made); expected it lent the one connection at "
        "1.2 s, the moment it came back: a waiter cancelled as a connection is handed to it "
        "passes it on to the next waiter (or back to the pool), it must not be lost")


@task2
async def test_a_task_cancelled_while_its_connection_is_made_frees_its_place() -> None:
    """a task cancelled while the factory makes its connection gives its place up: a waiting task
    goes on and gets one

    With size 1, a task waiting for a connection goes on and gets one.
    """
    factory = Factory()
    pool = cleanup.Pool(factory, 1)
    first = asyncio.create_task(use(pool, 1.0, [], [0]))
    await asyncio.sleep(0.05)
    waiter = asyncio.create_task(use(pool, 1.0, [], [0]))
    await asyncio.sleep(0.05)
    first.cancel()
    _, first_error, _ = await ended(first)
    result, error, at = await ended(waiter)
    await pool.close()
    given_as = ("With Pool(size=1) and connections made in 0.2 s, a task asking at 0.0 s was "
                "cancelled at 0.1 s, while its connection was being made; a task waiting since "
                "0.05 s")
    assert isinstance(first_error, asyncio.CancelledError), (
        f"{given_as}: the cancelled task {outcome(None, first_error)}; expected CancelledError")
    assert at is not None and error is None and result in factory.made, (
        f"{given_as} " + (f"{outcome(result, error)} at {secs(at)}" if at is not None
                          else "still had no connection 10 s later")
        + f" (connections made: {factory.made}); expected it to be lent a connection: the "
        "place of a task cancelled while its connection is made is free again (however "
        "acquiring ends, cancelled too, give the place back)")


class QueryFailed(Exception):
    """A block that uses a pooled connection fails."""


@dataclass
class User:
    """One drawn user of the pool: arrives `at`, holds the connection `hold` seconds, then
    leaves: ``ok``, ``error`` (its block raises) or ``cancel`` (cancelled at `at` + `hold`,
    waiting or holding)."""

    at: float
    hold: float
    ending: str
    lent: float | None = None
    back: float | None = None


def pool_model(users: list[User], size: int, making: float) -> int:
    """Fill in when each user is lent a connection and gives it back (first come, first
    served; an idle connection first, else a new one while fewer than `size` exist); a
    cancel that finds its user waiting for the factory is dropped (ending ``ok``).
    Returns how many connections were made."""
    idle = made = 0
    waiting: list[int] = []
    events = [(u.at, 0, "arrive", i) for i, u in enumerate(users)]

    def lend(index: int, at: float) -> None:
        users[index].lent = at
        if users[index].ending != "cancel":
            events.append((at + users[index].hold, 1, "back", index))

    for index, user in enumerate(users):
        if user.ending == "cancel":
            events.append((user.at + user.hold, 1, "cancel", index))
    while events:
        events.sort()
        at, _, what, index = events.pop(0)
        user = users[index]
        if what == "arrive":
            if idle:
                idle -= 1
                lend(index, at)
            elif made < size:
                made += 1
                events.append((at + making, 0, "made", index))
            else:
                waiting.append(index)
        elif what == "made":
            lend(index, at)
        elif what == "cancel" and index in waiting:
            waiting.remove(index)
            user.back = at
        elif what == "cancel" and user.lent is None:  # in the factory: not cancelled
            user.ending = "ok"
            user.hold = round(user.hold - user.hold % 0.001 + 0.0001, 6)
        elif what in ("cancel", "back"):
            user.back = at
            if waiting:
                lend(waiting.pop(0), at)
            else:
                idle += 1
    return made


@task2
@given(size=st.integers(1, 3), making=durations(0.001, 0.5),
       users=st.lists(st.tuples(st.integers(0, 1500), durations(0.001, 1.5),
                                st.sampled_from(["ok", "ok", "error", "cancel"])),
                      min_size=1, max_size=6, unique_by=lambda user: user[0]))
@example(size=2, making=0.2, users=[(0, 1.0, "ok"), (50, 0.333, "error"), (100, 0.5, "ok"),
                                    (150, 1.0, "ok"), (200, 0.25, "cancel")])
@example(size=1, making=0.1, users=[(0, 1.0, "cancel"), (10, 0.5, "cancel"), (20, 0.5, "ok"),
                                    (300, 0.25, "error")])
@settings(max_examples=8)
def test_any_users_are_served_first_come_first_served(size: int, making: float,
                                                      users: list[tuple[int, float, str]]) -> None:
    """for any users, each gets an idle connection, a new one, or waits its turn; never two on one
    connection

    Users arrive at any times, and finish, fail or are cancelled; their errors pass through.
    """
    drawn = [User(at / 1000, hold + (0.00003 * (i + 1) if ending == "cancel" else 0.0001),
                  ending) for i, (at, hold, ending) in enumerate(users)]
    model = [User(u.at, u.hold, u.ending) for u in drawn]
    made = pool_model(model, size, making)
    cancels = [(m.at + m.hold, i) for i, m in enumerate(model) if m.ending == "cancel"]
    failures = {i: QueryFailed(f"user {i}'s query failed") for i, m in enumerate(model)
                if m.ending == "error"}
    factory = Factory(making)

    async def scenario() -> tuple[list[tuple[Any, Any, float | None, Any]], bool]:
        pool = cleanup.Pool(factory, size)
        seen: list[tuple[Any, Any, float | None, Any]] = [(None, None, None, None)] * len(model)

        async def one(index: int) -> None:
            await asyncio.sleep(model[index].at)
            lent: list[Any] = []

            async def block() -> None:
                async with pool.acquire() as connection:
                    lent.extend([connection, now()])
                    await asyncio.sleep(model[index].hold if model[index].ending != "cancel"
                                        else 3600)
                    if index in failures:
                        raise failures[index]

            _, error = await settle(block())
            seen[index] = (lent[0] if lent else None, error, lent[1] if lent else None, now())

        async def cancelling(task: asyncio.Task[None], at: float) -> None:
            await asyncio.sleep(at)
            task.cancel()

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(i)) for i in range(len(model))]
            for at, index in cancels:
                group.create_task(cancelling(tasks[index], at))
        await pool.close()
        return seen, pool.closed

    seen, closed = run_virtual(scenario)
    given_as = (f"With Pool(size={size}) and connections made in {secs(making)}, users "
                + listing(f"{i} at {secs(m.at)} holding {secs(m.hold)}"
                          + {"ok": "", "error": " then raising", "cancel": " (cancelled then)"}[
                              m.ending] for i, m in enumerate(model)))
    for index, (_, error, lent, _) in enumerate(seen):
        user = model[index]
        did = (f"{given_as}: user {index} " + (f"got a connection at {secs(lent)}" if lent is not
                                               None else "got no connection"))
        assert (lent is None) == (user.lent is None) and (
            lent is None or same_time(lent, user.lent)), (
            f"{did}; expected " + (f"one at {secs(user.lent)}" if user.lent is not None else
                                   "none: it was cancelled while waiting")
            + ": an idle connection at once, a new one while fewer than size exist, else the "
            "first connection to come back goes to the user who has waited longest")
        expected = (asyncio.CancelledError if user.ending == "cancel" else
                    QueryFailed if user.ending == "error" else type(None))
        assert isinstance(error, expected) and (user.ending != "error"
                                                 or error is failures[index]), (
            f"{did}, and its `async with` {outcome(None, error)}; expected "
            + {"ok": "no error", "error": "its own QueryFailed to pass through",
               "cancel": "CancelledError"}[user.ending])
    spans = [(seen[i][0], seen[i][2], model[i].back) for i in range(len(seen)) if seen[i][0]]
    for connection, lent, back in spans:
        shared = [f"{lent2}" for c2, lent2, _ in spans
                  if c2 is connection and lent < lent2 < back - CLOCK_RESOLUTION]
        assert not shared, (
            f"{given_as}: {connection} was lent at {secs(lent)} and again at "
            f"{listing(shared)}, before it came back: one connection, one user at a time")
    assert len(factory.made) == made, (
        f"{given_as}: {len(factory.made)} connections were made; expected {made}: reuse an "
        "idle connection before making one, and never more than size")
    assert closed is True and all(c.closed for c in factory.made), (
        f"{given_as}: once every user was done, close() returned with "
        f"{listing(c for c in factory.made if not c.closed)} still open")


# Task 3: close the pool: `pool.close()`.

@task3
async def test_close_closes_idle_and_returning_connections() -> None:
    """close() closes the idle connections now, and the lent ones when they come back"""
    factory = Factory()
    pool = cleanup.Pool(factory, 2)
    await use(pool, 0.1, [], [0])
    holder = asyncio.create_task(use(pool, 5.0, [], [0]))
    other = asyncio.create_task(use(pool, 5.0, [], [0]))
    await asyncio.sleep(1.0)
    await pool.close()
    open_now = [c for c in factory.made if not c.closed]
    assert len(open_now) == 2 and pool.closed, (
        f"close() with 2 connections lent left {len(open_now)} open: expected the 2 lent ones "
        "open until they come back, and closed=True"
    )
    await asyncio.gather(holder, other)
    still_open = [c for c in factory.made if not c.closed]
    assert not still_open, f"{still_open} came back to a closed pool and were not closed"


@task3
async def test_acquire_after_close_is_refused() -> None:
    """acquire on a closed pool raises RuntimeError"""
    pool = cleanup.Pool(Factory(), 1)
    await pool.close()

    async def acquire() -> None:
        async with pool.acquire():
            pass

    await rejects(RuntimeError, acquire, shown="acquire() after close()", named=())


@task3
async def test_a_waiter_is_refused_when_the_pool_closes() -> None:
    """a task waiting for a connection is refused once the pool has closed"""
    pool = cleanup.Pool(Factory(), 1)
    holder = asyncio.create_task(use(pool, 2.0, [], [0]))
    await asyncio.sleep(0.5)
    waiter = asyncio.create_task(use(pool, 1.0, [], [0]))
    await asyncio.sleep(0.5)
    await pool.close()
    await holder
    result, error = await settle(waiter)
    assert isinstance(error, RuntimeError), (
        f"a task waiting for a connection when the pool closed {outcome(result, error)}; "
        "expected RuntimeError: a closed pool lends nothing"
    )


@task3
@pytest.mark.parametrize("size", [1, 2])
async def test_an_acquire_that_connects_after_close_is_refused(size: int) -> None:
    """an acquire that began before close() and connected after it raises RuntimeError

    An acquire that began before close() and got its new connection after it raises
    RuntimeError: its block never runs, and that connection is closed when the error comes out.
    """
    factory = Factory()
    pool = cleanup.Pool(factory, size)
    entered: list[float] = []

    async def block() -> None:
        async with pool.acquire():
            entered.append(now())

    asking = asyncio.create_task(block())
    await asyncio.sleep(0.1)
    await pool.close()  # at 0.1 s, while the connection is being made (0.2 s)
    result, error, at = await ended(asking)
    still_open = [c for c in factory.made if not c.closed]
    given_as = (f"With Pool(size={size}), an acquire at 0.0 s, close() at 0.1 s, while its "
                "connection was being made (done at 0.2 s)")
    assert isinstance(error, RuntimeError) and not entered, (
        f"{given_as}: the acquire "
        + (f"entered its block at {secs(entered[0])} and " if entered else "")
        + (f"{outcome(result, error)} at {secs(at)}" if at is not None else
           "was still running 10 s later")
        + "; expected RuntimeError: a closed pool lends nothing, not even a connection it was "
        "making when it closed")
    assert not still_open, (
        f"{given_as}: the acquire raised RuntimeError at {secs(at)}, leaving "
        f"{listing(still_open)} open; expected the connection made after close() closed "
        "before the error comes out (close it inside acquire, awaited)")


@task3
async def test_an_acquire_while_close_runs_is_refused() -> None:
    """an acquire while close() is still closing the idle connections raises RuntimeError at once:
    nothing is lent or made"""
    factory = Factory()
    pool = cleanup.Pool(factory, 3)
    await asyncio.gather(use(pool, 0.3, [], [0]), use(pool, 0.2, [], [0]))  # 2 idle by 0.5 s
    await asyncio.sleep(0.5 - now())
    closing = asyncio.create_task(pool.close())  # from 0.5 s; each close takes 0.1 s
    await asyncio.sleep(0.05)
    timeline.expect("caller", now(), kind=timeline.FAILED)  # refused at once
    result, error = await settle(use(pool, 1.0, [], [0]))
    at = now()
    await closing
    given_as = ("With Pool(size=3) holding 2 idle connections (closing one takes 0.1 s), an "
                "acquire at 0.55 s, while close() (called at 0.5 s) was still at work,")
    assert isinstance(error, RuntimeError) and same_time(at, 0.55), (
        f"{given_as} {outcome(result, error)} at {secs(at)}; expected RuntimeError at once: "
        "once close() is called, the pool lends nothing, even before close() is done")
    still_open = [c for c in factory.made if not c.closed]
    assert len(factory.made) == 2 and not still_open, (
        f"{given_as}: {len(factory.made)} connections were made in all, "
        f"{listing(still_open) or 'none'} open once close() returned; expected the 2 idle "
        "ones only, both closed")


@task3
@pytest.mark.parametrize("ending", ["returns", "raises"])
async def test_async_with_pool_closes_it(ending: str) -> None:
    """`async with Pool(...) as pool:` closes the pool on leaving, also when the block raises

    The block's error passes through.
    """
    factory = Factory()
    pools: list[Any] = []
    failure = QueryFailed("the block failed")

    async def block() -> None:
        async with cleanup.Pool(factory, 2) as pool:
            pools.append(pool)
            await use(pool, 1.0, [], [0])
            if ending == "raises":
                raise failure

    start = now()  # a connection made in 0.2 s, used 1 s, then closed in 0.1 s on leaving
    expect_ends("caller", (start, start + 1.3, timeline.FAILED if ending == "raises"
                           else timeline.RETURNED))
    result, error = await settle(block())
    assert pools, (f"`async with Pool(...)` never ran the block: it {outcome(result, error)}; "
                   "expected __aenter__ to return the pool and the block to run")
    pool = pools[0]
    assert error is (failure if ending == "raises" else None), (
        f"a block that {ending} inside `async with Pool(...)` {outcome(result, error)}; "
        + ("expected its own error to pass through (__aexit__ must not swallow it)"
           if ending == "raises" else "expected no error"))
    assert pool.closed and all(c.closed for c in factory.made) and factory.made, (
        f"leaving `async with Pool(...)` when the block {ending} left the pool "
        f"closed={pool.closed!r} and {listing(c for c in factory.made if not c.closed)} open; "
        "expected the pool and its connections closed, however the block ends"
    )


@task3
async def test_a_connection_back_while_close_runs_is_closed() -> None:
    """a lent connection that comes back while close() is still closing the idle ones is closed
    too"""
    factory = Factory()
    pool = cleanup.Pool(factory, 2)
    await asyncio.gather(use(pool, 0.3, [], [0]), use(pool, 0.1, [], [0]))  # 2 idle by 0.5 s
    holder = asyncio.create_task(use(pool, 0.55, [], [0]))  # back at 1.05 s
    await asyncio.sleep(0.5)
    await pool.close()  # from 1.0 s, closing the idle connection takes 0.1 s
    returned, closed = now(), pool.closed
    await settle(holder)
    still_open = [c for c in factory.made if not c.closed]
    assert closed is True and not still_open, (
        f"With Pool(size=2), close() at 1.0 s (one idle connection, closing in 0.1 s; it "
        f"returned at {secs(returned)} with closed={closed!r}) while a connection came back "
        f"at 1.05 s: {listing(still_open) or 'none'} stayed open; expected every connection "
        "closed: once close() is called, a connection that comes back is closed, even while "
        "close() is still at work")


@task3
@pytest.mark.parametrize("ending", ["returns", "raises", "is cancelled"])
async def test_a_holder_cancelled_while_closing_its_connection_frees_its_place(
        ending: str) -> None:
    """a holder cancelled while its connection is being closed still gives its place back

    Its connection came back to a closed pool; the task waiting for a place is refused, not left
    waiting.
    """
    pool = cleanup.Pool(Factory(), 1)

    async def holder() -> None:
        async with pool.acquire():  # lent at 0.2 s
            await asyncio.sleep(60.0 if ending == "is cancelled" else 1.0)
            if ending == "raises":
                raise QueryFailed("the block failed")

    holding = asyncio.create_task(holder())
    await asyncio.sleep(0.5)
    waiter = asyncio.create_task(use(pool, 1.0, [], [0]))
    await asyncio.sleep(0.5)
    await pool.close()  # at 1.0 s: nothing idle; the lent connection is closed when it is back
    await asyncio.sleep(0.2)
    if ending == "is cancelled":
        holding.cancel()  # at 1.2 s: the block ends, the connection comes back to be closed
    await asyncio.sleep(0.05)
    holding.cancel()  # at 1.25 s, while the connection is being closed (0.1 s)
    _, _, holder_at = await ended(holding)
    result, error, at = await ended(waiter)
    given_as = (f"With Pool(size=1), a holder whose block {ending} at 1.2 s, a task waiting "
                "since 0.5 s and close() at 1.0 s: the holder was cancelled again at 1.25 s, "
                "while its connection (back to a closed pool) was being closed")
    assert holder_at is not None, f"{given_as}, and it was still running 10 s later"
    assert isinstance(error, RuntimeError), (
        f"{given_as}; the waiting task " + (f"{outcome(result, error)} at {secs(at)}"
                                            if at is not None else "was still waiting 10 s "
                                            "later")
        + "; expected RuntimeError: the holder gives its place back however giving the "
        "connection back ends (cancelled while closing it too), so the waiter goes on and "
        "finds the pool closed")


# Task 4: stream items and close the source: `stream(open_source)`.

@task4
async def test_stream_yields_everything_and_closes() -> None:
    """yields every item, then closes the source"""
    source = Source(3)
    got = [item async for item in cleanup.stream(lambda: source)]
    assert got == [1, 2, 3] and source.closed, (
        f"streaming a source of 3 items gave {show(got)} and left it "
        f"{'closed' if source.closed else 'open'}; expected [1, 2, 3] and closed"
    )


@task4
async def test_stream_closed_early_releases_the_source() -> None:
    """closed early (a consumer that breaks, then aclose), it closes the source"""
    source = Source(100)
    async with contextlib.aclosing(cleanup.stream(lambda: source)) as items:
        async for item in items:
            if item == 2:
                break
    assert source.closed and source.reads == 2, (
        f"the consumer broke out after 2 items and closed the stream; the source was read "
        f"{source.reads} times and is {'closed' if source.closed else 'still open'}. Open it "
        "with `async with` inside the generator, so aclose() releases it"
    )


@task4
async def test_stream_released_when_the_consumer_is_cancelled() -> None:
    """when the consumer is cancelled mid-stream, closing the stream releases the source"""
    source = Source(100)

    async def consume() -> None:
        async with contextlib.aclosing(cleanup.stream(lambda: source)) as items:
            async for _ in items:
                pass

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(1.05)
    consumer.cancel()
    result, error = await settle(consumer)
    assert isinstance(error, asyncio.CancelledError) and source.closed, (
        f"the consumer was cancelled mid-stream and {outcome(result, error)}; the source is "
        f"{'closed' if source.closed else 'still open'}"
    )


@task4
async def test_stream_opens_the_source_lazily() -> None:
    """the source is opened when iteration starts, not when stream() is called"""
    source = Source(3)
    items = cleanup.stream(lambda: source)
    opened_early = source.opened
    first = await anext(items)
    await items.aclose()
    assert not opened_early, "stream() opened the source before anyone iterated"
    assert first == 1 and source.opened and source.closed, (
        f"the first item was {show(first)}; the source should have been opened for it, "
        "and closed by aclose()"
    )


ITEMS = st.lists(st.sampled_from([0, "", False, 1, "x", 2.5]), max_size=6)


@task4
@given(items=ITEMS, stop=st.none() | st.integers(0, 7), how=st.sampled_from(["break", "take"]),
       fails=st.none() | st.integers(0, 7))
@example(items=[0, "", False], stop=None, how="break", fails=None)
@example(items=[1, 0, 2.5], stop=1, how="take", fails=None)
@example(items=[1, 0, 2.5], stop=None, how="break", fails=2)
@settings(max_examples=8)
def test_any_stream_yields_every_item_and_releases_the_source(
        items: list[Any], stop: int | None, how: str, fails: int | None) -> None:
    """for any items and any end, the stream yields every item it reads, one read per item, and its
    source is closed

    The items may be falsy (only None ends the source), and the stream may be read to the end,
    stopped early, or ended by a read that raises.
    """
    reads = (len(items) + 1 if stop is None or stop > len(items) else
             stop if how == "take" else stop + 1)
    broken = fails is not None and fails < reads  # a read that raises ends the iteration
    error = OSError("the source broke")
    source = ListSource(items, fails if broken else None, error)

    async def scenario() -> tuple[list[Any], BaseException | None, bool, bool]:
        got: list[Any] = []

        async def consume() -> None:
            if how == "take" and stop is not None:
                got.extend(await cleanup.take(cleanup.stream(lambda: source), stop))
                return
            async with contextlib.aclosing(cleanup.stream(lambda: source)) as stream:
                async for item in stream:
                    if len(got) == stop:
                        break
                    got.append(item)

        _, raised = await settle(consume())
        return got, raised, source.opened, source.closed

    got, raised, opened, closed = run_virtual(scenario)
    read = fails + 1 if broken else reads  # one read of 0.1 s per item asked for
    expect_ends("caller", (0.0, read * 0.1, timeline.FAILED if broken else timeline.RETURNED))
    wanted = items if stop is None else items[:stop]
    given_as = (f"Streaming a source of {show(items)}" + (
        "" if stop is None else f", stopped after {stop} items by "
        + ("take()" if how == "take" else "a consumer that breaks out and closes the stream"))
        + (f", read number {fails + 1} raising {error!r}" if broken else ""))
    if broken:
        assert closed, (
            f"{given_as}: the stream {outcome(None, raised)} and left the source open; expected "
            "it closed however the iteration ends, a failed read too: open it with `async "
            "with` inside the generator (or close it in a `finally`)")
        return
    assert got == wanted and all(type(a) is type(b) for a, b in zip(got, wanted, strict=True)), (
        f"{given_as} gave {show(got)}; expected {show(wanted)}: yield every item read, until "
        "the source gives None (falsy items included)")
    assert source.reads == reads, (
        f"{given_as}, the source was read {source.reads} times; expected {reads}: one read "
        "each time the consumer asks for an item" + (
            ", and take reads no more than n" if how == "take" else ""))
    assert closed or not opened, (
        f"{given_as}, the source was left open when the consumer was done: open it with "
        "`async with` inside the generator")


# Task 5: take the first `n` items, then close: `take(items, n)`.

@task5
async def test_take_reads_only_what_it_needs_and_closes() -> None:
    """takes the first n items, reads no more, and closes the stream"""
    source = Source(100)
    got = await cleanup.take(cleanup.stream(lambda: source), 3)
    assert got == [1, 2, 3] and source.reads == 3 and source.closed, (
        f"take(stream, 3) returned {show(got)} after {source.reads} reads, leaving the source "
        f"{'closed' if source.closed else 'open'}; expected [1, 2, 3], 3 reads, closed"
    )


@task5
async def test_take_more_than_there_is() -> None:
    """takes everything when the stream is shorter than n"""
    source = Source(2)
    got = await cleanup.take(cleanup.stream(lambda: source), 5)
    assert got == [1, 2] and source.closed, f"take(stream of 2, 5) returned {show(got)}"


@task5
async def test_take_none() -> None:
    """take(stream, 0) reads nothing and still closes the stream"""
    closed: list[bool] = []

    async def items() -> AsyncIterator[int]:
        try:
            yield 1
        finally:
            closed.append(True)

    generator = items()
    await generator.asend(None)  # started: now only aclose() runs its finally
    got = await cleanup.take(generator, 0)
    assert got == [] and closed == [True], (
        f"take(stream, 0) returned {show(got)} and {'closed' if closed else 'did not close'} "
        "the stream; expected [] and closed"
    )


class Items:
    """An async iterator that is not a generator: `anext` gives the items (None is an item
    here), or raises `error` at position `fails`; `aclose` is recorded."""

    def __init__(self, items: list[Any], fails: int | None, error: BaseException) -> None:
        self.items, self.fails, self.error = items, fails, error
        self.asked = 0
        self.closed_at: list[int] = []

    def __aiter__(self) -> "Items":
        return self

    async def __anext__(self) -> Any:
        position = self.asked
        self.asked += 1
        await asyncio.sleep(0.1)
        if position == self.fails:
            raise self.error
        if position >= len(self.items):
            raise StopAsyncIteration
        return self.items[position]

    async def aclose(self) -> None:
        await asyncio.sleep(0.05)
        self.closed_at.append(self.asked)


@task5
@given(items=st.lists(st.sampled_from([None, 0, "", "a", 3]), max_size=6), n=st.integers(0, 8),
       fails=st.none() | st.integers(0, 6), cancel=st.none() | st.integers(0, 6))
@example(items=[None, 0, "a"], n=2, fails=None, cancel=None)
@example(items=[1, 2, 3], n=3, fails=1, cancel=None)
@example(items=[1, 2, 3, 4], n=4, fails=None, cancel=2)
@settings(max_examples=10)
def test_take_closes_the_items_however_it_ends(items: list[Any], n: int, fails: int | None,
                                               cancel: int | None) -> None:
    """for any async iterator and n, take returns the first n items, reading no more, or raises;
    closed before either

    The iterator may give None and falsy items, and an error or a cancellation may come at any
    point.
    """
    error = OSError("the items broke")
    source = Items(items, fails, error)
    end = min(n, len(items) + 1, *([fails + 1] if fails is not None else []))
    cut = cancel + 0.5 if cancel is not None and cancel < end else None  # during a read

    async def scenario() -> tuple[Any, BaseException | None, list[int], float]:
        call = asyncio.create_task(cleanup.take(source, n))
        if cut is not None:
            await asyncio.sleep(cut / 10)
            call.cancel()
        result, raised = await settle(call)
        return result, raised, source.closed_at[:], now()

    result, raised, closed_at, at = run_virtual(scenario)
    if cut is not None:  # cancelled during a read, then the items closed (0.05 s)
        expect_ends("caller", (cut / 10, cut / 10 + 0.05, timeline.CANCELLED))
    else:  # reads of 0.1 s each, up to the n-th item, the end or the failing read, then closed
        failed = fails is not None and fails < min(n, len(items) + 1)
        expect_ends("caller", (0.0, end * 0.1 + 0.05,
                               timeline.FAILED if failed else timeline.RETURNED))
    given_as = (f"take(items, {n}) over the items {show(items)}"
                + (f" (reading item {fails} raises {error!r})" if fails is not None else "")
                + (f", cancelled at {secs(cut / 10)}" if cut is not None else ""))
    did = f"{given_as} {outcome(result, raised)} at {secs(at)}"
    if cut is not None:
        assert isinstance(raised, asyncio.CancelledError), f"{did}; expected CancelledError"
        asked = cancel + 1
    elif fails is not None and fails < min(n, len(items) + 1):
        assert raised is error, f"{did}; expected the items' own error, {error!r}"
        asked = fails + 1
    else:
        wanted = items[:n]
        assert raised is None and result == wanted and all(
            type(a) is type(b) for a, b in zip(result, wanted, strict=True)), (
            f"{did}; expected {show(wanted)}")
        asked = end
    assert source.asked == asked, (
        f"{did}, after asking for {source.asked} items; expected {asked}: ask for no more "
        "than n (and for none when n is 0)")
    assert closed_at, f"{did}, without closing the items: `aclose()` them however take ends"


# Task 6: reject bad input: jobs, the pool's arguments, `n`.

@task6
async def test_group_rejects_a_coroutine_object_or_a_str() -> None:
    """rejects a coroutine object given as a job, and a str of jobs, before calling any job

    Rejects a coroutine object given as a job (``job()`` where ``job`` is due), naming it, and
    a str of jobs, before calling any job.
    """
    jobs = Jobs()
    first = jobs.make(1.0)
    called = jobs.make(1.0)()
    try:
        await rejects(TypeError, lambda: cleanup.run_group([first, called]),
                      shown="run_group([job, job()]) (a coroutine object where a job is due)",
                      named="coroutine")
    finally:
        called.close()
    assert not jobs.records[0].calls, "a job was called before every job was checked"
    result, error = await settle(cleanup.run_group("ab"))
    assert isinstance(error, TypeError) and (names(str(error), "'a'")
                                             or names(str(error), "'ab'")), (
        f"run_group('ab') {outcome(result, error)}; expected TypeError naming the bad job 'a' "
        "(or the str 'ab'): a str is not a list of jobs")


@task6
async def test_group_rejects_a_job_that_is_not_callable(jobs: Jobs) -> None:
    """rejects a job that is not callable with TypeError naming it, before calling any job"""
    await rejects(TypeError, lambda: cleanup.run_group([jobs.make(1.0), 42]),
                  shown="run_group([job, 42])", named="42")
    assert not jobs.records[0].calls, "a job was called before every job was checked"


@task6
@pytest.mark.parametrize(("args", "error", "named"), [
    ((42, 2), TypeError, "42"), ((Factory(), 0), ValueError, "0"),
    ((Factory(), -3), ValueError, "-3"), ((Factory(), 1.5), TypeError, "1.5"),
    ((Factory(), True), TypeError, "True"), ((Factory(), "2"), TypeError, "'2'"),
    ((Factory(), 2.0), TypeError, "2.0"), ((Factory(), math.nan), TypeError, "nan"),
    ((Factory(), math.inf), TypeError, "inf")],
    ids=["factory", "size 0", "size -3", "size 1.5", "size True", "size '2'", "size 2.0",
         "size nan", "size inf"])
async def test_pool_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                          named: str) -> None:
    """rejects a factory that is not callable, or a size not an int of at least 1, naming the bad
    value"""
    await rejects(error, lambda: cleanup.Pool(*args), shown=f"Pool{args!r}", named=named)


@task6
async def test_pool_rejects_a_coroutine_object_for_a_factory() -> None:
    """rejects a coroutine object given as the factory (``connect()`` where ``connect`` is due),
    naming it"""
    made = Factory()()
    try:
        await rejects(TypeError, lambda: cleanup.Pool(made, 2),
                      shown="Pool(factory(), 2) (a coroutine object where a factory is due)",
                      named="coroutine")
    finally:
        made.close()


@task6
@pytest.mark.parametrize(("n", "error", "named"), [
    (-1, ValueError, "-1"), (2.5, TypeError, "2.5"), ("3", TypeError, "'3'"),
    (True, TypeError, "True"), (2.0, TypeError, "2.0"), (math.nan, TypeError, "nan"),
    (math.inf, TypeError, "inf")])
async def test_take_rejects_a_bad_n(n: Any, error: type[Exception], named: str) -> None:
    """rejects an n that is not a non-negative int, naming it, and reads nothing"""
    source = Source(5)
    items = cleanup.stream(lambda: source)
    await rejects(error, lambda: cleanup.take(items, n), shown=f"take(stream, {n!r})",
                  named=named)
    await items.aclose()
    assert source.reads == 0, f"take(stream, {n!r}) read {source.reads} items before refusing"
