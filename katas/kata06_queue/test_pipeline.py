"""Behaviour spec of kata 06: producer / consumer with asyncio.Queue. Times are loop time."""

import asyncio
import functools
import heapq
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import implementation, listing, now, outcome, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, rejects_naming, running_tasks, same_time
from specs.properties import durations, iterable_shapes, run_virtual, shaped
from specs.timeline import expect_caller

pipes = implementation("kata06_queue", "pipeline")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)

OFF_GRID = 0.0005  # half a millisecond: a failure or a cancel that ties with no other event


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
        self.pull_times: list[float] = []
        self.start_times: list[float] = []
        self.in_flight = 0
        self.peak = 0
        self.error = ValueError(f"item {fail_on} is bad")

    def items(self) -> Iterator[int]:
        for item in range(self.count):
            if item == self.source_fails_at:
                raise self.error
            self.pulled += 1
            self.pull_times.append(now())
            yield item

    @property
    def ahead(self) -> list[int]:
        """At each pull: the items pulled but not yet handed to handle() at that moment."""
        return [pulled - handed_by(when, self.start_times)
                for pulled, when in enumerate(self.pull_times, start=1)]

    def length(self, item: int) -> float:
        """How long handle(item) takes: half, once or one and a half times `seconds`."""
        return self.seconds * (1 + item % 3) / 2

    async def handle(self, item: int) -> int:
        self.started += 1
        self.start_times.append(now())
        started = now()
        self.handled[item] += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        row = f"item {item}"
        try:
            await asyncio.sleep(self.length(item))
            if item == self.fail_on:
                timeline.record_mark(row, now(), timeline.FAILED)
                raise self.error
            return item * 10
        except asyncio.CancelledError:
            timeline.record_mark(row, now(), timeline.CANCELLED)
            raise
        finally:
            self.in_flight -= 1
            timeline.record_span(row, started, now())


def handed_by(moment: float, starts: list[float]) -> int:
    """How many items handle() had started on by loop time `moment`. A moment, not a count at
    the pull: a handle may be called (its item handed over) a loop step before its body runs,
    as when a worker wraps it in a task, and the producer may pull in between."""
    return sum(1 for start in starts if start <= moment + CLOCK_RESOLUTION)


# --- the model and the instruments of the properties -----------------------------------------

def worker_starts(seconds: list[float], workers: int) -> list[float]:
    """The model: when each item is handed to handle() by `workers` consumers that take the
    items in input order, each the moment it is free (the producer keeps the queue filled)."""
    free = [0.0] * min(workers, len(seconds))
    starts = []
    for duration in seconds:
        start = heapq.heappop(free)
        starts.append(start)
        heapq.heappush(free, round(start + duration, 6))
    return starts


class Feed:
    """Items (any objects, one listed twice perhaps) and a handle() that takes a set time for
    each, fails or cleans up as told, and records every pull, start, end and cancellation. Its
    timeline is a row per item, "item N" for values[N] (handled again: "item N #2")."""

    def __init__(self, values: list[Any], seconds: list[float], order: list[int], *,
                 fails: int | None = None, source_fails_at: int | None = None,
                 cleanup: float = 0.0, cleanup_raises: bool = False,
                 error: BaseException | None = None, cancels_itself: bool = False) -> None:
        self.values, self.seconds, self.order = values, seconds, order
        self.cancels_itself = cancels_itself  # `fails` cancels the task it runs in
        self.fails, self.source_fails_at, self.cleanup = fails, source_fails_at, cleanup
        self.cleanup_raises = cleanup_raises
        self.starts: list[list[float]] = [[] for _ in values]
        self.done: dict[int, float] = {}  # value index: when its handle() returned
        self.cancelled: dict[int, float] = {}  # value index: when its handle() was cancelled
        self.cancels: dict[int, list[float]] = {}  # value index: every cancellation it got
        self.cleaned: dict[int, float] = {}  # value index: when its clean-up ran to its end
        self.pulls: list[float] = []  # when each item was pulled
        self.source_raised_at: float | None = None
        self.started = 0
        self.in_flight = 0
        self.peak = 0
        self.error = error or ValueError("this item is bad")  # what `fails` raises

    def index(self, item: Any) -> int:
        return next(i for i, value in enumerate(self.values) if value is item)

    def source(self) -> Iterator[Any]:
        for position, value in enumerate(self.order):
            if position == self.source_fails_at:
                self.source_raised_at = now()
                raise self.error
            self.pulls.append(now())
            yield self.values[value]

    async def handle(self, item: Any) -> Any:
        value = self.index(item)
        self.starts[value].append(now())
        lives, begun = len(self.starts[value]), now()
        row = f"item {value}" + (f" #{lives}" if lives > 1 else "")
        self.started += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.seconds[value])
        except asyncio.CancelledError:
            self.cancelled.setdefault(value, now())
            self.cancels.setdefault(value, []).append(now())
            timeline.record_span(row, begun, now())
            timeline.record_mark(row, now(), timeline.CANCELLED)
            if self.cleanup:
                cleaning = now()
                try:
                    await asyncio.sleep(self.cleanup)
                except asyncio.CancelledError:  # cancelled again: the clean-up is cut short
                    self.cancels[value].append(now())
                    timeline.record_mark(row, now(), timeline.CANCELLED)
                    raise
                finally:
                    timeline.record_span(row, cleaning, now(), timeline.CLEANUP)
            self.cleaned[value] = now()
            if self.cleanup_raises:
                # What becomes of an error raised in a clean-up, the contract does not say:
                # the spec marks it seen, whatever task it ends.
                running = asyncio.current_task()
                if running is not None:
                    running.add_done_callback(_seen)
                raise RuntimeError(f"the clean-up of handle({item!r}) failed") from None
            raise
        finally:
            self.in_flight -= 1
        timeline.record_span(row, begun, now())
        if value == self.fails and self.cancels_itself:
            running = asyncio.current_task()
            assert running is not None
            timeline.record_mark(row, now(), timeline.CANCELLED)
            running.cancel()  # handle() cancels the task it runs in ...
            await asyncio.sleep(0)  # ... and the cancellation lands here, in handle()
        if value == self.fails:
            timeline.record_mark(row, now(), timeline.FAILED)
            raise self.error  # a CancelledError too: handle() then ends cancelled by itself
        self.done[value] = now()
        return item


    def cancelled_again(self) -> list[str]:
        """The items whose handle() was cancelled more than once: ``item 0 at 1.0 s and 11.0 s``."""
        return [f"item {i} at {listing(secs(t) for t in times)}"
                for i, times in sorted(self.cancels.items()) if len(times) > 1]


def _seen(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _relay(handle: Callable[[Any], Awaitable[Any]], item: Any) -> Awaitable[Any]:
    return handle(item)


class _Handler:
    """An object with ``__call__``: a handle that is not a function."""

    def __init__(self, handle: Callable[[Any], Awaitable[Any]]) -> None:
        self._handle = handle

    def __call__(self, item: Any) -> Awaitable[Any]:
        return self._handle(item)

    def __repr__(self) -> str:
        return "<callable object>"


class _Awaiting:
    """An awaitable that is neither a coroutine nor a Future (it has ``__await__``)."""

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self._awaitable = awaitable

    def __await__(self) -> Any:
        return self._awaitable.__await__()

    def __repr__(self) -> str:
        return "<awaitable object>"


# Ways to hand over handle(): an async def, and callables that are not one (one of which returns
# an awaitable that is not a coroutine: create_task() would refuse it, await takes it).
HANDLE_STYLES: dict[str, Callable[[Callable[[Any], Awaitable[Any]]], Callable[[Any], Any]]] = {
    "async def": lambda handle: handle,
    "functools.partial": lambda handle: functools.partial(_relay, handle),
    "callable object": _Handler,
    "lambda": lambda handle: lambda item: handle(item),
    "lambda returning an awaitable object": lambda handle: lambda item: _Awaiting(handle(item)),
}

KINDS: dict[str, Callable[[int], list[Any]]] = {
    "ints": lambda n: list(range(n)),
    "falsy items": lambda n: [None, 0, "", False, 0.0, (), b""][:n],
    "unhashable items": lambda n: [[i] if i % 2 else {"n": i} for i in range(n)],
}


def in_flight_at(moment: float, starts: list[float], seconds: list[float]) -> list[int]:
    """The items whose handle() runs across `moment` (started before it, due to end after)."""
    return [i for i, (s, d) in enumerate(zip(starts, seconds, strict=False))
            if s + CLOCK_RESOLUTION < moment < round(s + d, 6) - CLOCK_RESOLUTION]


def expect_items(runs: dict[int, tuple[float, float]], how: dict[int, str] | None = None) -> None:
    """State what the contract expects of the rows "item N": handle(N) runs from ``runs[N][0]``
    to ``runs[N][1]``, ending as ``how[N]`` says (failed, cancelled) if it says."""
    for item, (start, end) in runs.items():
        timeline.expect(f"item {item}", start, end)
        if how and item in how:
            timeline.expect(f"item {item}", end, kind=how[item])


def expect_line(line: Line, workers: int) -> None:
    """State when each item of `line` is handled: the moment a worker is free, in input order."""
    lengths = [line.length(item) for item in range(line.count)]
    expect_items({item: (start, start + length) for item, (start, length)
                  in enumerate(zip(worker_starts(lengths, workers), lengths, strict=True))})

# --- task 1: every item once, in order ------------------------------------------------------

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
@pytest.mark.parametrize(("workers", "handed"), [(1, [0.0, 1.0, 3.0]), (2, [0.0, 0.0, 1.0])])
async def test_an_item_listed_twice_keeps_each_calls_result(workers: int,
                                                            handed: list[float]) -> None:
    """an item listed twice is handled twice, and each place holds what its own call returned

    Results are kept per position in the input, never per item (nor per id(item)).
    """
    twice, other = ["listed twice"], ["other"]  # unhashable, and the same object both times
    calls: list[float] = []

    async def stamp(item: Any, called: float) -> str:
        await asyncio.sleep(2.0 if item is other else 1.0)
        return f"{item[0]}, handed over at {secs(called)}"

    def handle(item: Any) -> Awaitable[str]:  # what it returns tells its calls apart
        if item is twice:
            calls.append(now())
        return stamp(item, now())

    got, error = await settle(pipes.pipeline(iter([twice, other, twice]), handle,
                                             workers=workers, maxsize=2))
    expected = [f"{name}, handed over at {secs(t)}"
                for name, t in zip(["listed twice", "other", "listed twice"], handed, strict=True)]
    assert error is None and len(calls) == 2 and got == expected, (
        f"pipeline([item, other, item], handle, workers={workers}), where handle returns the "
        f"loop time it was called at, handed the item over at {listing(secs(t) for t in calls)}"
        f" and {outcome(got, error)}; expected {show(expected)}: an item listed twice is "
        "handled twice, and each place in the results holds what its own call returned (keep "
        "the results by position, not in a dict keyed by the item or by id(item))")


@task1
async def test_no_items() -> None:
    """an empty input gives an empty list, and the pipeline still ends"""
    line = Line(0)
    got = await pipes.pipeline(line.items(), line.handle)
    assert got == [], f"pipeline over no items returned {show(got)}; expected []"
    assert not running_tasks(), f"pipeline over no items left {running_tasks()} running"


@task1
async def test_nothing_left_running() -> None:
    """when the work is done, every task the pipeline started has ended"""
    line = Line(9)
    await pipes.pipeline(line.items(), line.handle, workers=3, maxsize=2)
    left = running_tasks()
    assert not left, (
        f"pipeline returned with {len(left)} task(s) still alive: {left}. Stop every worker "
        "(and the producer) before returning"
    )


# --- task 1, continued: workers -------------------------------------------------------------

@task1
async def test_workers_bound_the_concurrency() -> None:
    """handles at most `workers` items at once, and keeps every worker busy"""
    line = Line(24, seconds=2.0)
    expect_line(line, workers=8)
    await pipes.pipeline(line.items(), line.handle, workers=8, maxsize=2)
    assert line.peak == 8, (
        f"with workers=8, up to {line.peak} items were handled at once; expected exactly 8"
    )


@task1
async def test_default_workers() -> None:
    """uses 4 workers by default"""
    line = Line(12)
    expect_line(line, workers=4)
    await pipes.pipeline(line.items(), line.handle)
    assert line.peak == 4, f"by default up to {line.peak} items were handled at once; expected 4"


# --- task 1, continued: back-pressure -------------------------------------------------------

@task1
async def test_producer_waits_for_the_workers() -> None:
    """the producer never runs more than `maxsize` (+1) items ahead, and fills the queue"""
    line = Line(30)
    await pipes.pipeline(line.items(), line.handle, workers=2, maxsize=3)
    most = max(line.ahead)
    assert most <= 4, (
        f"With workers=2 and maxsize=3, the producer was {most} items ahead of the workers at "
        "one point; it should wait once the queue is full: at most 3 queued, plus one waiting "
        "in put()"
    )
    assert most >= 3, (
        f"the producer was never more than {most} items ahead: fill the queue up to "
        "maxsize=3, so workers never wait for work that is ready"
    )


@task1
async def test_default_maxsize() -> None:
    """the queue holds 10 items by default"""
    line = Line(20)
    await pipes.pipeline(line.items(), line.handle, workers=1)
    assert 10 <= max(line.ahead) <= 11, (
        f"by default the producer got {max(line.ahead)} items ahead; expected 10 (or 11)"
    )


@task1
@given(kind=st.sampled_from(sorted(KINDS)),
       seconds=st.lists(durations(0.001, 3.0), min_size=0, max_size=6),
       twice=st.none() | st.tuples(st.integers(0, 6), st.integers(0, 7)),
       workers=st.integers(1, 4), maxsize=st.integers(1, 4), shape=iterable_shapes(),
       style=st.sampled_from(sorted(HANDLE_STYLES)))
@example(kind="falsy items", seconds=[0.333, 2.0, 1.0], twice=None, workers=2, maxsize=1,
         shape="generator", style="async def")
@example(kind="unhashable items", seconds=[1.0, 0.5, 0.25], twice=(0, 3), workers=2,
         maxsize=2, shape="list", style="functools.partial")
@example(kind="ints", seconds=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0], twice=None, workers=1,
         maxsize=2, shape="generator", style="callable object")
@example(kind="ints", seconds=[1.0, 0.5, 2.0], twice=None, workers=2, maxsize=1,
         shape="tuple", style="lambda returning an awaitable object")
@settings(max_examples=10)
def test_every_item_is_handled_once_the_moment_a_worker_is_free(
        kind: str, seconds: list[float], twice: tuple[int, int] | None, workers: int,
        maxsize: int, shape: str, style: str) -> None:
    """any items, any callable handle: each handled once, the moment a worker is free, in order"""
    values = KINDS[kind](len(seconds))
    seconds = seconds[:len(values)]
    order = list(range(len(values)))
    if twice is not None and twice[0] < len(values):
        order.insert(min(twice[1], len(order)), twice[0])
    feed = Feed(values, seconds, order)
    handle = HANDLE_STYLES[style](feed.handle)

    async def scenario() -> tuple[Any, BaseException | None, float, int, list[str]]:
        got, error = await settle(pipes.pipeline(
            shaped(feed.source(), shape) if shape != "generator" else feed.source(), handle,
            workers=workers, maxsize=maxsize))
        return got, error, now(), feed.in_flight, running_tasks()

    got, error, ended, in_flight, alive = run_virtual(scenario)
    listed = [seconds[v] for v in order]
    lives: Counter[int] = Counter()  # an item listed twice is handled twice: "item 0 #2"
    for begin, value, length in sorted(zip(worker_starts(listed, workers), order, listed,
                                           strict=True)):
        lives[value] += 1
        row = f"item {value}" + (f" #{lives[value]}" if lives[value] > 1 else "")
        timeline.expect(row, begin, begin + length)
    given_as = (f"With {kind} {show([values[v] for v in order])} taking "
                f"{listing(secs(s) for s in listed)} (a {shape}; handle: {style}"
                + (f"; item {twice[0]} listed twice" if len(order) > len(values) else "")
                + f"), workers={workers} and maxsize={maxsize}")
    assert error is None, (
        f"{given_as}, pipeline {outcome(got, error)}; expected the results"
        + ("; handle may return any awaitable (a coroutine, a Future, an object with "
           "__await__): await what it returns (asyncio.create_task takes coroutines only)"
           if "awaitable" in style else ""))
    expected = [values[v] for v in order]
    assert (isinstance(got, list) and len(got) == len(expected)
            and all(g is e for g, e in zip(got, expected, strict=False))), (
        f"{given_as}, pipeline returned {show(got)}; expected {show(expected)}: what handle "
        "returned for each item, every item once, in input order")
    starts = worker_starts(listed, workers)
    for value in range(len(values)):
        due = sorted(s for v, s in zip(order, starts, strict=True) if v == value)
        assert same_time(sorted(feed.starts[value]), due), (
            f"{given_as}, handle({show(values[value])}) started at "
            f"{listing(secs(t) for t in feed.starts[value])}; expected at "
            f"{listing(secs(t) for t in due)}: once per listing, the moment a worker is free "
            "(workers take the items in input order, and none idles while one is ready)")
    assert feed.peak <= workers, f"{given_as}, {feed.peak} items were handled at once"
    finish = max((s + d for s, d in zip(starts, listed, strict=True)), default=0.0)
    assert same_time(ended, finish) and in_flight == 0 and not alive, (
        f"{given_as}, pipeline returned at {secs(ended)} with {in_flight} handle() call(s) "
        f"still running and tasks {alive or 'none'} alive; expected at {secs(finish)}, when "
        "the last item is done, with every task ended")
    if shape == "generator":
        handed = [t for times in feed.starts for t in times]
        for pulled, when in enumerate(feed.pulls):
            started = handed_by(when, handed)
            ahead = pulled + 1 - started
            assert ahead <= maxsize + 1, (
                f"{given_as}, the producer pulled item {pulled} at {secs(when)} when only "
                f"{started} item(s) had been handed to handle: {ahead} ahead. A bounded queue "
                f"holds {maxsize}, plus one waiting in put(): pull lazily, and await put()")
            latest = starts[pulled - maxsize] if pulled >= maxsize else 0.0
            assert when <= latest + CLOCK_RESOLUTION, (
                f"{given_as}, the producer pulled item {pulled} at {secs(when)}; the queue had "
                f"room for it at {secs(latest)}. Keep the queue filled: put the next item as "
                "soon as there is room, so no worker waits for work that is ready")


@task1
@given(seconds=st.lists(st.sampled_from([0.25, 1.0, 2.5, 12.0, 30.0]) | durations(0.001, 3.0),
                        min_size=8, max_size=24),
       workers=st.integers(1, 4), maxsize=st.integers(1, 4))
@example(seconds=[30.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 12.0, 1.0, 1.0, 1.0, 1.0, 1.0],
         workers=2, maxsize=2)
@example(seconds=[1.0] * 6 + [30.0, 12.0, 30.0] + [1.0] * 8, workers=3, maxsize=1)
@settings(max_examples=8)
def test_the_bounds_hold_for_a_whole_run(seconds: list[float], workers: int,
                                         maxsize: int) -> None:
    """over a long run, never more than `workers` items at once nor `maxsize` (+1) pulled ahead

    Over a long run with slow items, never more than `workers` items handled at once, never
    more than `maxsize` (+1) pulled ahead, and every worker kept busy.

    A worker takes the next item only when handle() is done with the one it holds, however slow:
    a bound that holds only in the first moments is no bound.
    """
    feed = Feed(list(range(len(seconds))), seconds, list(range(len(seconds))))
    spans: list[tuple[float, float]] = []  # (start, end) of each handle() call

    async def timed(item: int) -> Any:
        start = now()
        try:
            return await feed.handle(item)
        finally:
            spans.append((start, now()))

    async def scenario() -> tuple[Any, BaseException | None]:
        return await settle(pipes.pipeline(feed.source(), timed, workers=workers,
                                           maxsize=maxsize))

    got, error = run_virtual(scenario)
    expect_items({item: (begin, begin + seconds[item])
                  for item, begin in enumerate(worker_starts(seconds, workers))})
    given_as = (f"With {len(seconds)} items taking {listing(secs(s) for s in seconds)}, "
                f"workers={workers} and maxsize={maxsize}")
    assert error is None and got == list(range(len(seconds))), (
        f"{given_as}, pipeline {outcome(got, error)}; expected the items, in order")
    events = sorted([(round(end, 6), 0) for _, end in spans]
                    + [(round(start, 6), 1) for start, _ in spans])
    handled = 0
    for when, starting in events:
        handled += 1 if starting else -1
        assert handled <= workers, (
            f"{given_as}, {handled} items were being handled at {secs(when)}; the bound holds "
            f"for the whole run: at most workers={workers}. A worker takes its next item only "
            "once handle() is done with the one it holds, however slow")
    handed = [t for times in feed.starts for t in times]
    for pulled, when in enumerate(feed.pulls):
        ahead = pulled + 1 - handed_by(when, handed)
        assert ahead <= maxsize + 1, (
            f"{given_as}, the producer pulled item {pulled} at {secs(when)}, {ahead} items ahead "
            f"of the workers; the bound holds for the whole run: at most maxsize={maxsize}, plus "
            "one waiting in put(), however long the queue has been full")
    due = worker_starts(seconds, workers)
    for item, times in enumerate(feed.starts):
        assert same_time(times, [due[item]]), (
            f"{given_as}, handle({item}) started at {listing(secs(t) for t in times)}; expected "
            f"at {secs(due[item])}: every worker stays busy for the whole run, taking the next "
            "item the moment it is free")


# --- tasks 2 and 3: clean shutdown ----------------------------------------------------------

@task2
async def test_a_failing_handle_does_not_hang() -> None:
    """a failing handle(): its exception propagates at once, the rest shut down"""
    line = Line(30, fail_on=4)
    # 3 workers; item 6 (from 1.5 s) may end at 2.0 s, as item 4 fails, or be cancelled then
    expect_items({0: (0.0, 0.5), 1: (0.0, 1.0), 2: (0.0, 1.5), 3: (0.5, 1.0), 4: (1.0, 2.0),
                  5: (1.0, 2.0)}, {4: timeline.FAILED, 5: timeline.CANCELLED})
    expect_caller(0.0, 2.0, timeline.FAILED)
    result, error = await settle(pipes.pipeline(line.items(), line.handle, workers=3,
                                                maxsize=2))
    assert error is line.error, (
        f"handle(4) raised {line.error!r}; pipeline {outcome(result, error)}. Expected that very "
        "error, at once: waiting on queue.join() for an item that will never be done is the "
        "classic deadlock"
    )
    assert same_time(now(), 2.0) and line.started < 30 and line.in_flight == 0, (
        f"the error reached the caller at {secs(now())} after {line.started} items had started, "
        f"with {line.in_flight} still being handled; item 4 fails at 2.0 s, and the other items "
        "should be cancelled then"
    )


@task2
async def test_a_failing_producer_does_not_hang() -> None:
    """a failing source of items: its exception propagates, the workers shut down"""
    line = Line(30, source_fails_at=5)
    timeline.expect("caller", 0.0, kind=timeline.FAILED)  # at once
    result, error = await settle(pipes.pipeline(line.items(), line.handle, workers=2,
                                                maxsize=10))
    assert error is line.error, (
        f"The items ran out with {line.error!r} after item 4; pipeline {outcome(result, error)}. "
        "Expected that very error; the workers waiting for more must be stopped"
    )
    assert same_time(now(), 0.0) and line.in_flight == 0, (
        f"the error reached the caller at {secs(now())} with {line.in_flight} item(s) still "
        "being handled; the source fails at 0.0 s: cancel the workers then, do not finish "
        "the queued work first"
    )


@task2
async def test_cancelling_the_pipeline_cancels_its_tasks() -> None:
    """cancelling pipeline cancels the producer and the workers; the cancellation propagates"""
    line = Line(30)
    expect_items({0: (0.0, 0.5), 1: (0.0, 1.0), 2: (0.0, 1.25), 3: (0.5, 1.0), 4: (1.0, 1.25),
                  5: (1.0, 1.25)}, dict.fromkeys([2, 4, 5], timeline.CANCELLED))
    timeline.expect("caller", 1.25, kind=timeline.CANCELLED)  # at once
    caller = asyncio.create_task(pipes.pipeline(line.items(), line.handle, workers=3,
                                                maxsize=2))
    await asyncio.sleep(1.25)
    caller.cancel("the caller's reason")
    result, error = await settle(caller)
    left = running_tasks()
    assert isinstance(error, asyncio.CancelledError), (
        f"pipeline was cancelled at 1.25 s and {outcome(result, error)}; the cancellation must "
        "reach the caller"
    )
    assert error.args == ("the caller's reason",), (
        "pipeline was cancelled at 1.25 s with task.cancel(\"the caller's reason\"); the "
        f"caller got {error!r}. Let the caller's own cancellation propagate (re-raise it), its "
        "message kept, rather than raise a new CancelledError: that one is for a handle that "
        "ended cancelled by itself"
    )
    assert not left and line.in_flight == 0 and same_time(now(), 1.25), (
        f"When the cancellation reached the caller at {secs(now())}, {line.in_flight} item(s) "
        f"were still being handled and tasks {left or 'none'} were alive; cancel the producer "
        "and every worker, and wait for them, before the cancellation propagates"
    )


@task3
async def test_a_handle_that_cancels_its_own_task_is_a_failure() -> None:
    """a handle that cancels its own task stops the pipeline, which raises CancelledError

    A handle that cancels the task it runs in ends cancelled by itself: the pipeline stops,
    cancelling the rest at that moment, and raises CancelledError.
    """
    # item 0 cancels its own task at 1.0 s; item 1 is cancelled then, and cleans up
    expect_items({0: (0.0, 1.0), 1: (0.0, 1.0)}, dict.fromkeys([0, 1], timeline.CANCELLED))
    timeline.expect("item 1", 1.0, 1.5, timeline.CLEANUP)  # and no other item starts
    expect_caller(0.0, 1.5, timeline.CANCELLED)
    feed = Feed(list(range(6)), [1.0, 3.0, 1.0, 1.0, 1.0, 1.0], list(range(6)), fails=0,
                cancels_itself=True, cleanup=0.5)
    result, error = await settle(pipes.pipeline(feed.source(), feed.handle, workers=2,
                                                maxsize=1))
    said = ("handle(0) called asyncio.current_task().cancel() at 1.0 s, while handle(1) (3 s) "
            f"ran, workers=2; pipeline {outcome(result, error)} at {secs(now())}")
    assert isinstance(error, asyncio.CancelledError), (
        f"{said}. A handle that cancels the task it runs in ends cancelled by itself: a "
        "failure, so pipeline must raise CancelledError, never return without item 0's result "
        "(nor go on with a worker fewer)")
    started = [i for i, times in enumerate(feed.starts) if times]
    assert started == [0, 1] and 1 in feed.cancelled and same_time(now(), 1.5), (
        f"{said}; handle() had started for items {listing(started)} and item 1 was "
        f"{'cancelled at ' + secs(feed.cancelled[1]) if 1 in feed.cancelled else 'never cancelled'}"
        ". Expected item 1 cancelled at 1.0 s, no other item started, and CancelledError at "
        "1.5 s, once its clean-up is over")
    assert not running_tasks(), f"{said}, with tasks {running_tasks()} still alive"


FAULTS = ["handle raises", "handle ends cancelled", "handle cancels its task", "the items raise",
          "the caller cancels"]
HANDLE_FAULTS = {"handle raises", "handle ends cancelled", "handle cancels its task"}
ENDS_CANCELLED = {"handle ends cancelled", "handle cancels its task"}
LONG_CLEANUP = 30.0  # longer than any grace period or timeout a pipeline might wait with


@task3
@given(seconds=st.lists(durations(0.001, 3.0), min_size=1, max_size=6),
       workers=st.integers(1, 3), maxsize=st.integers(1, 3), fault=st.sampled_from(FAULTS),
       at=st.integers(0, 6), moment=durations(0.0, 6.0),
       cleanup=st.sampled_from([0.0, LONG_CLEANUP]) | durations(0.001, 3.0),
       raises=st.booleans())
@example(seconds=[3.0, 1.0, 1.0, 1.0], workers=2, maxsize=1, fault="handle raises", at=1,
         moment=0.0, cleanup=0.5, raises=False)
@example(seconds=[3.0, 1.0, 1.0, 1.0], workers=2, maxsize=1, fault="handle raises", at=1,
         moment=0.0, cleanup=2.5, raises=True)
@example(seconds=[1.0, 1.0, 1.0, 1.0, 1.0], workers=1, maxsize=1, fault="the items raise",
         at=4, moment=0.0, cleanup=0.25, raises=False)
@example(seconds=[2.0, 2.0, 2.0], workers=2, maxsize=1, fault="the caller cancels", at=0,
         moment=1.0, cleanup=0.5, raises=False)
@example(seconds=[1.0, 2.0, 2.0, 1.0], workers=2, maxsize=1, fault="handle ends cancelled",
         at=0, moment=0.0, cleanup=0.5, raises=False)
@example(seconds=[1.0, 2.0, 2.0, 1.0], workers=2, maxsize=1, fault="handle cancels its task",
         at=0, moment=0.0, cleanup=0.5, raises=False)
@example(seconds=[3.0, 1.0, 1.0, 1.0], workers=2, maxsize=1, fault="handle raises", at=1,
         moment=0.0, cleanup=LONG_CLEANUP, raises=False)
@example(seconds=[2.0, 2.0, 2.0], workers=2, maxsize=1, fault="the caller cancels", at=0,
         moment=1.0, cleanup=LONG_CLEANUP, raises=False)
@example(seconds=[3.0, 1.0, 1.0, 1.0], workers=2, maxsize=1, fault="handle cancels its task",
         at=1, moment=0.0, cleanup=LONG_CLEANUP, raises=False)
@settings(max_examples=14)
def test_a_failure_anywhere_stops_everything_then_propagates(
        seconds: list[float], workers: int, maxsize: int, fault: str, at: int, moment: float,
        cleanup: float, raises: bool) -> None:
    """any failure or cancel, at any moment: all else is cancelled, once, then that error
    propagates, not one from a clean-up

    The error that propagates is the first one, not an error raised later, in a clean-up. A task
    is cancelled once, and its clean-up runs to its end, however long. A handle that cancels the
    task it runs in ends cancelled by itself: a failure, like one that raises CancelledError.
    """
    n = len(seconds)
    at = at % n
    seconds = list(seconds)
    if fault in HANDLE_FAULTS:
        seconds[at] = round(seconds[at] + OFF_GRID, 6)
    # a clean-up that raises: "that exception itself" must still propagate; beside a
    # cancellation (the caller's, or one that handle raised), the contract is silent
    raises = raises and fault in ("handle raises", "the items raise")
    feed = Feed(list(range(n)), seconds, list(range(n)), cleanup=cleanup, cleanup_raises=raises,
                fails=at if fault in HANDLE_FAULTS else None,
                source_fails_at=at if fault == "the items raise" else None,
                error=asyncio.CancelledError() if fault == "handle ends cancelled" else None,
                cancels_itself=fault == "handle cancels its task")
    cancel_at = round(moment + OFF_GRID, 6)

    async def scenario() -> tuple[Any, BaseException | None, float, int, list[str]]:
        call = pipes.pipeline(feed.source(), feed.handle, workers=workers, maxsize=maxsize)
        if fault == "the caller cancels":
            caller = asyncio.create_task(call)
            await asyncio.sleep(cancel_at)
            caller.cancel()
            result, error = await settle(caller)
        else:
            result, error = await settle(call)
        return result, error, now(), feed.in_flight, running_tasks()

    result, error, ended, in_flight, alive = run_virtual(scenario)
    starts = worker_starts(seconds, workers)
    given_as = (f"With items taking {listing(secs(s) for s in seconds)}, workers={workers}, "
                f"maxsize={maxsize} and a clean-up of {secs(cleanup)} in each cancelled handle"
                + (" (that then raises RuntimeError)" if raises else ""))
    if fault in HANDLE_FAULTS:
        moment = round(starts[at] + seconds[at], 6)
        what = f"handle({at}) raised {feed.error!r} at {secs(moment)}"
        if fault == "handle ends cancelled":
            what += " (it ended cancelled by itself; nothing cancelled the pipeline)"
        if fault == "handle cancels its task":
            what = (f"handle({at}) cancelled the task it runs in (asyncio.current_task()"
                    f".cancel()) at {secs(moment)}; nothing cancelled the pipeline")
    elif fault == "the items raise":
        moment = feed.source_raised_at if feed.source_raised_at is not None else -1.0
        what = f"the items raised {feed.error!r} instead of item {at}"
        if moment >= 0:
            what += f" at {secs(moment)}"
    else:
        moment = cancel_at
        what = f"the caller cancelled pipeline at {secs(moment)}"
    must_cancel = [i for i in in_flight_at(moment, starts, seconds) if i != at
                   or fault not in HANDLE_FAULTS]
    finish = max(s + d for s, d in zip(starts, seconds, strict=True))
    if fault in HANDLE_FAULTS or (fault == "the caller cancels" and moment <= finish):
        # the caller hears of it once the tasks still running are cleaned up: the caller's own
        # cancel (from the moment it cancels), or the failure
        expect_caller(moment if fault == "the caller cancels" else 0.0,
                      moment + (cleanup if must_cancel else 0.0),
                      timeline.FAILED if fault == "handle raises" else timeline.CANCELLED)
    if fault == "the caller cancels":
        if moment > max(s + d for s, d in zip(starts, seconds, strict=True)):
            return  # the pipeline was done before the cancel
        assert isinstance(error, asyncio.CancelledError), (
            f"{given_as}, {what}; it {outcome(result, error)}. The cancellation must reach "
            "the caller")
    elif fault in ENDS_CANCELLED:
        assert isinstance(error, asyncio.CancelledError), (
            f"{given_as}, {what}; pipeline {outcome(result, error)}. A handle that ends "
            "cancelled (raising CancelledError, or cancelling the task it runs in) is a "
            "failure: pipeline must raise CancelledError (a BaseException, which a TaskGroup "
            "or asyncio.wait does not count as an error), never return without that item's "
            "result. Tell it from the pipeline's own stop by what the pipeline did, not by "
            "the worker's cancelling(): here the handle made that count")
    else:
        assert error is feed.error, (
            f"{given_as}, {what}; pipeline {outcome(result, error)}. Expected that very "
            "exception, itself (not an ExceptionGroup, not an error raised later in a "
            "clean-up), at once")
    assert moment >= 0, f"{given_as}, the items were never pulled as far as item {at}"
    if fault == "the items raise":
        earliest = starts[at - maxsize - 1] if at > maxsize else 0.0
        assert moment >= earliest - CLOCK_RESOLUTION, (
            f"{given_as}, {what}, before {secs(earliest)}: the producer ran more than "
            f"maxsize={maxsize} (+1) items ahead of the workers")
    missed = [i for i in must_cancel if i not in feed.cancelled]
    assert not missed, (
        f"{given_as}, {what}. handle() of item(s) {listing(missed)} was still running then, "
        "and was never cancelled; every task still running must be cancelled at that moment")
    late = [f"item {i} at {secs(t)}" for i, t in sorted(feed.cancelled.items())
            if not same_time(t, moment)]
    assert not late, (
        f"{given_as}, {what}; handle() was cancelled for {listing(late)}. Cancel every task "
        "still running at that very moment, not earlier or later")
    started_late = [i for i, times in enumerate(feed.starts) if any(t > moment + CLOCK_RESOLUTION
                                                                    for t in times)]
    finished_late = [i for i, t in feed.done.items() if t > moment + CLOCK_RESOLUTION]
    assert not started_late and not finished_late, (
        f"{given_as}, {what}; yet handle() started for item(s) {listing(started_late)} and "
        f"finished for item(s) {listing(finished_late)} after that. Stop pulling and "
        "handling at once")
    again = feed.cancelled_again()
    assert not again, (
        f"{given_as}, {what}; handle() was cancelled for {listing(again)}, the second time "
        f"during its clean-up of {secs(cleanup)}, which that cut short. Cancel each task once, "
        "and let its clean-up run to its end, however long it takes")
    cut = [f"item {i}" for i in feed.cancelled if i not in feed.cleaned]
    assert not cut, (
        f"{given_as}, {what}; the clean-up of handle() for {listing(cut)} never ran to its "
        "end. Wait for every cancelled task to finish its clean-up")
    due = moment + (cleanup if feed.cancelled else 0.0)
    assert in_flight == 0 and not alive and same_time(ended, due), (
        f"{given_as}, {what}. It reached the caller at {secs(ended)} with {in_flight} "
        f"handle() call(s) still running and tasks {alive or 'none'} alive; expected at "
        f"{secs(due)}: once every cancelled task has ended (its clean-up included), no later")


# --- task 4: bad input ----------------------------------------------------------------------

@task4
@pytest.mark.parametrize(("kwargs", "error"), [
    ({"workers": 0}, ValueError), ({"workers": -2}, ValueError),
    ({"workers": 1.5}, TypeError), ({"workers": True}, TypeError),
    ({"workers": None}, TypeError), ({"maxsize": 0}, ValueError),
    ({"maxsize": -1}, ValueError), ({"maxsize": "5"}, TypeError),
    ({"maxsize": False}, TypeError), ({"maxsize": 2.0}, TypeError),
    ({"workers": float("inf")}, TypeError), ({"workers": float("nan")}, TypeError),
    ({"maxsize": float("inf")}, TypeError), ({"maxsize": float("nan")}, TypeError),
    ({"workers": False}, TypeError), ({"maxsize": True}, TypeError),
], ids=lambda v: repr(v) if isinstance(v, dict) else None)
async def test_rejects_bad_counts(kwargs: dict[str, Any], error: type[Exception]) -> None:
    """rejects a workers or maxsize not an int of at least 1, before pulling an item"""
    line = Line(3)
    ((argument, value),) = kwargs.items()
    await rejects_naming(error, lambda: pipes.pipeline(line.items(), line.handle, **kwargs),
                         shown=f"pipeline(items, handle, {argument}={value!r})",
                         argument=argument, value=value)
    assert not line.pulled and not line.started, (
        f"{line.pulled} item(s) were pulled and {line.started} handled before the arguments "
        "were checked; check them first")


@task4
async def test_rejects_bad_items_and_handle() -> None:
    """rejects items that are not iterable, and a handle that is not callable"""
    line = Line(3)
    await rejects_naming(TypeError, lambda: pipes.pipeline(42, line.handle),
                         shown="pipeline(42, handle)", argument="items", value=42)
    await rejects_naming(TypeError, lambda: pipes.pipeline(None, line.handle),
                         shown="pipeline(None, handle)", argument="items", value=None)
    await rejects_naming(TypeError, lambda: pipes.pipeline(line.items(), "do_it"),
                         shown="pipeline(items, 'do_it')", argument="handle", value="do_it")
    await rejects_naming(TypeError, lambda: pipes.pipeline(line.items(), 7),
                         shown="pipeline(items, 7)", argument="handle", value=7)
    assert not line.pulled and not line.started, (
        f"{line.pulled} item(s) were pulled before handle was checked; check it first")


@task4
@pytest.mark.parametrize("kind", ["a coroutine object", "a Future", "an awaitable object"])
async def test_rejects_an_awaitable_where_handle_is_due(kind: str) -> None:
    """rejects an awaitable (what calling handle gives) passed as handle, before pulling an item"""
    line = Line(3)

    async def work(item: Any) -> Any:
        return item

    if kind == "a coroutine object":
        awaitable: Any = work(0)
    elif kind == "a Future":
        awaitable = asyncio.get_running_loop().create_future()
    else:
        awaitable = _Awaiting(asyncio.sleep(0))
    try:
        await rejects_naming(TypeError, lambda: pipes.pipeline(line.items(), awaitable),
                             shown=f"pipeline(items, {kind})", argument="handle",
                             value=awaitable)
    finally:
        for leftover in (awaitable, getattr(awaitable, "_awaitable", None)):
            if asyncio.iscoroutine(leftover):
                leftover.close()
    assert not line.pulled and not line.started, (
        f"{line.pulled} item(s) were pulled before handle ({kind}) was rejected; handle is a "
        "callable that returns an awaitable, not an awaitable: check it first")
