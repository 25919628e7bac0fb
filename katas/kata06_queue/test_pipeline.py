"""Behaviour spec of kata 06: producer / consumer with asyncio.Queue. Times are loop time."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from specs import implementation, now, outcome, rejects, secs, settle, show

pipes = implementation("kata06_queue", "pipeline")

task1 = pytest.mark.task(1, "every item handled once, results in input order")
task2 = pytest.mark.task(2, "`workers` consumers: at most that many at once")
task3 = pytest.mark.task(3, "back-pressure: a bounded queue")
task4 = pytest.mark.task(4, "shut down cleanly, even when something fails")
task5 = pytest.mark.task(5, "reject bad input")


class Line:
    """A source of items and a handle() for them, recording what happened when."""

    def __init__(self, count: int, seconds: float = 1.0, *, fail_on: int | None = None,
                 source_fails_at: int | None = None) -> None:
        self.count = count
        self.seconds = seconds
        self.fail_on = fail_on
        self.source_fails_at = source_fails_at
        self.pulled = 0
        self.handled: Counter[int] = Counter()
        self.started = 0
        self.ahead: list[int] = []  # at each pull: items pulled but not yet handed to handle()
        self.in_flight = 0
        self.peak = 0
        self.error = ValueError(f"item {fail_on} is bad")

    def items(self) -> Iterator[int]:
        for item in range(self.count):
            if item == self.source_fails_at:
                raise self.error
            self.pulled += 1
            self.ahead.append(self.pulled - self.started)
            yield item

    async def handle(self, item: int) -> int:
        self.started += 1
        self.handled[item] += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.seconds * (1 + item % 3) / 2)
            if item == self.fail_on:
                raise self.error
            return item * 10
        finally:
            self.in_flight -= 1


@task1
async def test_every_item_once_in_order() -> None:
    """handles every item exactly once and returns the results in input order"""
    line = Line(20)
    got = await pipes.pipeline(line.items(), line.handle, workers=3, maxsize=4)
    assert got == [n * 10 for n in range(20)], (
        f"pipeline over items 0..19 (handle gives item * 10) returned {show(got)}; expected "
        "[0, 10, ..., 190], in input order"
    )
    twice = sorted(item for item, times in line.handled.items() if times > 1)
    missing = sorted(set(range(20)) - set(line.handled))
    assert not twice and not missing, (
        f"items handled more than once: {twice}; never handled: {missing}. Each item must be "
        "handled exactly once"
    )


@task1
async def test_no_items() -> None:
    """an empty input gives an empty list, and the pipeline still ends"""
    line = Line(0)
    got = await pipes.pipeline(line.items(), line.handle)
    assert got == [], f"pipeline over no items returned {show(got)}; expected []"


@task2
@pytest.mark.parametrize("workers", [1, 3, 8])
async def test_workers_bound_the_concurrency(workers: int) -> None:
    """handles at most `workers` items at once, and keeps every worker busy"""
    line = Line(24, seconds=2.0)
    await pipes.pipeline(line.items(), line.handle, workers=workers, maxsize=2)
    assert line.peak == workers, (
        f"with workers={workers}, up to {line.peak} items were handled at once; expected "
        f"exactly {workers}"
    )


@task2
async def test_default_workers() -> None:
    """uses 4 workers by default"""
    line = Line(12)
    await pipes.pipeline(line.items(), line.handle)
    assert line.peak == 4, f"by default up to {line.peak} items were handled at once; expected 4"


@task3
@pytest.mark.parametrize(("workers", "maxsize"), [(2, 3), (1, 1), (3, 10)])
async def test_producer_waits_for_the_workers(workers: int, maxsize: int) -> None:
    """the producer never runs more than `maxsize` items ahead of the workers"""
    line = Line(40)
    await pipes.pipeline(line.items(), line.handle, workers=workers, maxsize=maxsize)
    most = max(line.ahead)
    assert most <= maxsize + 1, (
        f"With workers={workers} and maxsize={maxsize}, the producer was {most} items ahead of "
        f"the workers at one point; it should wait once the queue is full: at most {maxsize} "
        "queued, plus one waiting in put()"
    )
    assert most >= maxsize, (
        f"the producer was never more than {most} items ahead: fill the queue up to "
        f"maxsize={maxsize}, so workers never wait for work that is ready"
    )


@task3
async def test_default_maxsize() -> None:
    """the queue holds 10 items by default"""
    line = Line(60)
    await pipes.pipeline(line.items(), line.handle, workers=1)
    assert 10 <= max(line.ahead) <= 11, (
        f"by default the producer got {max(line.ahead)} items ahead; expected 10 (or 11)"
    )


@task4
async def test_nothing_left_running() -> None:
    """when the work is done, every task the pipeline started has ended"""
    line = Line(9)
    await pipes.pipeline(line.items(), line.handle, workers=3, maxsize=2)
    me = asyncio.current_task()
    left = [t.get_coro().__qualname__ for t in asyncio.all_tasks() if t is not me]
    assert not left, (
        f"pipeline returned with {len(left)} task(s) still alive: {left}. Stop every worker "
        "(and the producer) before returning"
    )


@task4
async def test_a_failing_handle_does_not_hang() -> None:
    """a failing handle(): its exception propagates at once, the rest shut down"""
    line = Line(30, fail_on=4)
    result, error = await settle(pipes.pipeline(line.items(), line.handle, workers=3,
                                                maxsize=2))
    assert error is line.error, (
        f"handle(4) raised {line.error!r}; pipeline {outcome(result, error)}. Expected that very "
        "error, at once: waiting on queue.join() for an item that will never be done is the "
        "classic deadlock"
    )
    assert now() == pytest.approx(2.0) and line.started < 30, (
        f"the error reached the caller at {secs(now())} after {line.started} items had started; "
        "item 4 fails at 2.0 s, and the other items should be abandoned then"
    )


@task4
async def test_a_failing_producer_does_not_hang() -> None:
    """a failing source of items: its exception propagates, the workers shut down"""
    line = Line(30, source_fails_at=5)
    result, error = await settle(pipes.pipeline(line.items(), line.handle, workers=2,
                                                maxsize=10))
    assert error is line.error, (
        f"The items ran out with {line.error!r} after item 4; pipeline {outcome(result, error)}. "
        "Expected that very error; the workers waiting for more must be stopped"
    )


@task5
@pytest.mark.parametrize(("kwargs", "error", "named"), [
    ({"workers": 0}, ValueError, ("workers", "0")),
    ({"workers": 1.5}, TypeError, ("workers", "1.5")),
    ({"workers": True}, TypeError, ("workers", "True")),
    ({"maxsize": 0}, ValueError, ("maxsize", "0")),
    ({"maxsize": "5"}, TypeError, ("maxsize", "'5'")),
], ids=lambda v: repr(v) if isinstance(v, dict) else None)
async def test_rejects_bad_counts(kwargs: dict[str, Any], error: type[Exception],
                                  named: tuple[str, str]) -> None:
    """rejects a workers or maxsize that is not an int of at least 1"""
    line = Line(3)
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    await rejects(error, lambda: pipes.pipeline(line.items(), line.handle, **kwargs),
                  shown=f"pipeline(items, handle, {shown})", named=named)
    assert not line.started, "an item was handled before the arguments were checked"


@task5
async def test_rejects_bad_items_and_handle() -> None:
    """rejects items that are not iterable, and a handle that is not callable"""
    line = Line(3)
    await rejects(TypeError, lambda: pipes.pipeline(42, line.handle),
                  shown="pipeline(42, handle)", named=("items", "42"))
    await rejects(TypeError, lambda: pipes.pipeline(line.items(), "handle"),
                  shown="pipeline(items, 'handle')", named=("handle", "'handle'"))
