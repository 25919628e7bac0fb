"""Spin detection on the virtual clock: a loop that keeps waking at the same instant.

looptime moves the clock only when the loop is idle. Code that re-checks a
condition with ``await asyncio.sleep(0)``, a callback that reschedules itself
with ``call_soon``, or a timer set again and again at the current instant keeps
the loop busy, so loop time never moves and no loop-time budget ever expires:
on a real loop such code burns a CPU; here it would spin forever.

`LoopWatch` wraps the loop's ``selector.select`` (called once per iteration),
counts the iterations that start at the same loop instant, and:

- when only a timer due *now* keeps waking the loop (float arithmetic that
  computes a wait of 1e-16 s, as aiolimiter's leaky bucket can), moves the
  clock by its smallest step, one tick of looptime's integer clock. A real
  clock always moves between two iterations, so code that is right on a real
  loop is right here too; we chose this over failing it;
- after `SPIN_ITERATIONS` iterations at one instant with work ready every time,
  reports a spin (`on_spin`) with the tasks and callbacks that kept waking;
- tells the watchdog the loop is alive (`beat`), each iteration.

Implementation note: looptime 0.9 keeps its clock as an integer count of
ticks in the name-mangled ``_LoopTimeEventLoop__now``; `nudge` adds one tick
there and nothing else (tests/test_loopwatch.py fails when that stops working).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import looptime

from specs.messages import place

# The longest run of iterations at one instant in the reference, alternatives and impostors
# is under 60 (measured when this was written); a spin reaches these counts in milliseconds.
SPIN_ITERATIONS = 2_000
NUDGE_AFTER = 200  # iterations at one instant, woken only by a due timer, before a nudge
# looptime idles this many loop iterations before each jump of its clock (42 by default), for
# handles that threads or I/O bring in late. asyncio asks its selector to wait only when no
# handle is ready, and the specs' I/O is mocked in-process, so one iteration is margin enough;
# 42 of them were two thirds of the reference suite's loop iterations.
NOOP_CYCLES = 1
_CLOCK = "_LoopTimeEventLoop__now"


def virtual_loop(**options: Any) -> asyncio.AbstractEventLoop:
    """A new event loop on looptime's virtual clock, from 0 s, as every spec runs on;
    `options` are looptime's (``start``, ``end``, ``noop_cycles``, ...)."""
    return looptime.new_event_loop(**{"noop_cycles": NOOP_CYCLES, **options})


SPIN = (
    "your code keeps waking at the same instant: {count} loop iterations at t={now:g} s and "
    "the loop's clock never moved. A `sleep(0)` re-check loop, or a wait of zero length, never "
    "lets time move; wait for the thing itself (an Event, a Future, a Lock) or sleep until it "
    "is due. It kept waking {who}"
)


def awaiting(coro: Any) -> list[Any]:
    """The frames of a suspended coroutine and of everything it awaits, outermost first."""
    frames = []
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            frames.append(frame)
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return frames


class LoopWatch:
    """Installed on a spec's loop for the rest of that loop's life."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, beat: Callable[[], None],
                 on_spin: Callable[[str, list[asyncio.Task[Any]]], None],
                 is_learner_file: Callable[[str], bool]) -> None:
        self._loop: Any = loop
        self._beat = beat
        self._on_spin = on_spin
        self._is_learner_file = is_learner_file
        self._instant: float = -1.0
        self.streak = 0
        self.longest = 0
        self.nudges = 0
        selector = self._loop._selector  # type: ignore[attr-defined]
        self._select = selector.select
        selector.select = self.select

    def select(self, timeout: float | None) -> Any:
        self._beat()
        events = self._select(timeout)
        # looptime's integer clock is the instant, read without the cost of loop.time()
        now = self._loop.__dict__.get(_CLOCK) or self._loop.time()
        if now != self._instant:
            self._instant, self.streak = now, 0
            return events
        self.streak += 1
        self.longest = max(self.longest, self.streak)
        if self.streak >= NUDGE_AFTER and self._woken_by_due_timer() and self.nudge():
            return events
        if self.streak % SPIN_ITERATIONS == 0:
            tasks, callbacks = self._wakers()
            self._on_spin(SPIN.format(count=self.streak, now=self._loop.time(),
                                      who=self._describe(tasks, callbacks)), tasks)
        return events

    def _woken_by_due_timer(self) -> bool:
        """Nothing ready but a timer asyncio treats as due now (within its clock resolution:
        ``t0 + 1.0 - loop.time()`` can be 2e-16 s, a wait looptime never moves the clock for)."""
        scheduled = self._loop._scheduled
        return (not self._loop._ready and bool(scheduled)
                and scheduled[0].when() < self._loop.time() + self._loop._clock_resolution)

    def nudge(self) -> bool:
        """Move looptime's clock by one tick; False where this looptime keeps no such clock."""
        if not isinstance(getattr(self._loop, _CLOCK, None), int):
            return False
        setattr(self._loop, _CLOCK, getattr(self._loop, _CLOCK) + 1)
        self.nudges += 1
        return True

    def _wakers(self) -> tuple[list[asyncio.Task[Any]], list[str]]:
        """The tasks and plain callbacks in the ready queue: the ones that keep waking."""
        tasks: list[asyncio.Task[Any]] = []
        callbacks: list[str] = []
        for handle in self._loop._ready:
            callback = getattr(handle, "_callback", None)
            owner = getattr(callback, "__self__", None)
            if isinstance(owner, asyncio.Task):
                if owner not in tasks:
                    tasks.append(owner)
            elif callback is not None:
                callbacks.append(getattr(callback, "__qualname__", repr(callback)))
        return tasks, callbacks

    def _describe(self, tasks: list[asyncio.Task[Any]], callbacks: list[str]) -> str:
        where = [self._task_place(task) for task in tasks[:3]]
        where += [f"the callback {name}() (it schedules itself again)"
                  for name in dict.fromkeys(callbacks[:3])]
        return "; ".join(where) or "an unknown callback"

    def _task_place(self, task: asyncio.Task[Any]) -> str:
        frames = awaiting(task.get_coro())
        learner = [f for f in frames if self._is_learner_file(f.f_code.co_filename)]
        frame = (learner or frames or [None])[-1]
        return f"task {task.get_name()}" if frame is None else place(frame)
