"""Instrumented async jobs for specs: what ran, when (in loop time), and how many at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from specs import timeline
from specs.messages import secs


@dataclass
class JobRecord:
    """What happened to one job, with times in loop seconds."""

    name: str
    seconds: float
    calls: list[float] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    finished_at: float | None = None
    cancelled: bool = False
    cleaned_up: bool = False

    @property
    def started(self) -> bool:
        return bool(self.starts)

    def fate(self) -> str:
        """What became of the job, for a message: ``never called``, ``called but never
        started``, ``still running``, ``cancelled at 1.5 s`` or ``ended at 2.0 s``."""
        if not self.calls:
            return "never called"
        if not self.starts:
            return f"called at {secs(self.calls[0])} but never started (nothing awaited it)"
        if self.finished_at is None:
            return "still running"
        return f"{'cancelled' if self.cancelled else 'ended'} at {secs(self.finished_at)}"


class Jobs:
    """Makes zero-argument async jobs and records their lives.

    ``jobs.make(1.0, result="a")`` returns an async callable that sleeps one
    second of loop time and returns ``"a"``; ``jobs.peak`` is the largest number
    of jobs that were in flight at the same moment.
    """

    def __init__(self) -> None:
        self.records: list[JobRecord] = []
        self.in_flight = 0
        self.peak = 0

    def make(self, seconds: float, result: Any = None, *, error: BaseException | None = None,
             name: str | None = None, cleanup_s: float = 0.0) -> Callable[[], Awaitable[Any]]:
        """An async job: sleeps `seconds`, then returns `result` or raises `error`.

        The job is a plain callable returning a coroutine (as ``lambda: fetch(url)`` is),
        so that the moment it is called is recorded apart from the moment it starts.
        Its clean-up (a ``finally`` that takes `cleanup_s` of loop time) is recorded,
        so specs can tell whether a cancelled job was allowed to clean up.
        """
        record = JobRecord(name or f"job{len(self.records)}", seconds)
        self.records.append(record)

        async def job() -> Any:
            loop = asyncio.get_running_loop()
            started = loop.time()
            row = record.name if not record.starts else f"{record.name} #{len(record.starts) + 1}"
            if record.calls and record.calls[-1] < started:
                timeline.record_span(row, record.calls[-1], started, timeline.WAIT)
            record.starts.append(started)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                await asyncio.sleep(seconds)
                if error is not None:
                    timeline.record_mark(row, loop.time(), timeline.FAILED)
                    raise error
                return result
            except asyncio.CancelledError:
                record.cancelled = True
                timeline.record_mark(row, loop.time(), timeline.CANCELLED)
                raise
            finally:
                self.in_flight -= 1
                record.finished_at = loop.time()
                timeline.record_span(row, started, record.finished_at)
                if cleanup_s:
                    try:
                        await asyncio.sleep(cleanup_s)
                    finally:
                        timeline.record_span(row, record.finished_at, loop.time(),
                                             timeline.CLEANUP)
                record.cleaned_up = True

        def call() -> Awaitable[Any]:
            record.calls.append(asyncio.get_running_loop().time())
            return job()

        job.__qualname__ = call.__qualname__ = record.name
        return call

    def many(self, seconds: list[float]) -> list[Callable[[], Awaitable[Any]]]:
        """One job per duration, each returning its own index."""
        return [self.make(s, result=i) for i, s in enumerate(seconds)]

    @property
    def cancelled(self) -> list[str]:
        return [r.name for r in self.records if r.cancelled]

    @property
    def still_running(self) -> list[str]:
        return [r.name for r in self.records if r.started and not r.cleaned_up]
