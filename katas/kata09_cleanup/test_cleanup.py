"""Behaviour spec of kata 09: structured concurrency and resource clean-up. Loop time."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show

cleanup = implementation("kata09_cleanup", "cleanup")

task1 = pytest.mark.task(1, "a task group: failures as an ExceptionGroup")
task2 = pytest.mark.task(2, "a connection pool: lend, wait, return")
task3 = pytest.mark.task(3, "close the pool")
task4 = pytest.mark.task(4, "an async generator that releases its source")
task5 = pytest.mark.task(5, "take a few items and close the stream")


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
    """Makes connections, 0.2 s each; remembers them all."""

    def __init__(self) -> None:
        self.made: list[Connection] = []

    async def __call__(self) -> Connection:
        await asyncio.sleep(0.2)
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


@task1
async def test_group_results_in_order(jobs: Jobs) -> None:
    """runs the jobs concurrently; results in input order"""
    got = await cleanup.run_group(jobs.many([2.0, 1.0, 3.0]))
    assert got == [0, 1, 2] and now() == 3.0, (
        f"run_group on jobs of 2, 1 and 3 s returned {show(got)} after {secs(now())}; "
        "expected [0, 1, 2] after 3.0 s"
    )


@task1
async def test_group_failure_is_an_exception_group(jobs: Jobs) -> None:
    """a failure reaches the caller as the TaskGroup's ExceptionGroup, after the clean-ups"""
    boom = ValueError("boom")
    work = [jobs.make(5.0, cleanup_s=0.5), jobs.make(1.0, error=boom), jobs.make(5.0)]
    result, error = await settle(cleanup.run_group(work))
    assert isinstance(error, BaseExceptionGroup) and list(error.exceptions) == [boom], (
        f"job1 raised {boom!r}; run_group {outcome(result, error)}. Expected an ExceptionGroup "
        "holding exactly that error: here the group itself is the answer, do not unwrap it"
    )
    assert not jobs.still_running and now() == pytest.approx(1.5), (
        f"when the group reached the caller at {secs(now())}, {listing(jobs.still_running)} "
        "had not finished cleaning up; expected all cancelled and cleaned up, at 1.5 s"
    )


@task1
async def test_group_keeps_every_failure(jobs: Jobs) -> None:
    """jobs failing at the same moment are all in the ExceptionGroup"""
    first, second = ValueError("first"), KeyError("second")
    work = [jobs.make(1.0, error=first), jobs.make(2.0), jobs.make(1.0, error=second)]
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
    caller = asyncio.create_task(cleanup.run_group(jobs.many([5.0, 5.0])))
    await asyncio.sleep(1.0)
    caller.cancel()
    result, error = await settle(caller)
    assert isinstance(error, asyncio.CancelledError) and not jobs.still_running, (
        f"run_group was cancelled at 1 s: it {outcome(result, error)} and "
        f"{listing(jobs.still_running)} still ran; expected a cancellation, every job cancelled"
    )


@task1
async def test_group_rejects_a_job_that_is_not_callable(jobs: Jobs) -> None:
    """rejects a job that is not callable with TypeError, before starting any"""
    await rejects(TypeError, lambda: cleanup.run_group([jobs.make(1.0), 42]),
                  shown="run_group([job, 42])", named="42")
    assert not jobs.records[0].calls, "a job was started before every job was checked"


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
    assert now() == pytest.approx(3.2), (
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
    holder.cancel()
    await settle(holder)
    result, error = await settle(asyncio.wait_for(use(pool, 0.5, [], [0]), timeout=10))
    assert error is None and result is factory.made[0], (
        f"after the holder was cancelled, the next user {outcome(result, error)}; the "
        "connection should have come back to the pool"
    )
    await pool.close()


@task2
@pytest.mark.parametrize(("args", "error", "named"), [
    ((42, 2), TypeError, ("factory", "42")), ((Factory(), 0), ValueError, ("size", "0")),
    ((Factory(), 1.5), TypeError, ("size", "1.5")),
    ((Factory(), True), TypeError, ("size", "True"))],
    ids=["factory", "size 0", "size 1.5", "size True"])
async def test_pool_rejects_bad_arguments(args: tuple[Any, ...], error: type[Exception],
                                          named: tuple[str, str]) -> None:
    """rejects a factory that is not callable, or a size that is not an int of at least 1"""
    await rejects(error, lambda: cleanup.Pool(*args), shown=f"Pool{args!r}", named=named)


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

    await rejects(RuntimeError, acquire, shown="acquire() after close()", named="closed")


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
async def test_async_with_pool_closes_it() -> None:
    """`async with Pool(...) as pool:` closes the pool on leaving"""
    factory = Factory()
    async with cleanup.Pool(factory, 2) as pool:
        await use(pool, 1.0, [], [0])
    assert pool.closed and all(c.closed for c in factory.made) and factory.made, (
        "leaving `async with Pool(...)` should close the pool and its connections"
    )


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


@task5
@pytest.mark.parametrize(("n", "error", "named"), [
    (-1, ValueError, "-1"), (2.5, TypeError, "2.5"), ("3", TypeError, "'3'")])
async def test_take_rejects_a_bad_n(n: Any, error: type[Exception], named: str) -> None:
    """rejects an n that is not a non-negative int"""
    source = Source(5)
    items = cleanup.stream(lambda: source)
    await rejects(error, lambda: cleanup.take(items, n), shown=f"take(stream, {n!r})",
                  named=("n", named))
    await items.aclose()
