"""Probes that run around every async spec, inside the spec's own event loop.

Faults end the test with a message that names them:

- stuck: nothing left to run while the spec still waits (a deadlock), found the
  moment the loop-time budget expires with no other timer scheduled;
- livelock: still busy with timers when the loop-time budget runs out;
- blocking: ``time.sleep`` called inside a coroutine, or wall time far above loop time;
- real network: any attempt to resolve or connect a socket.

Hygiene problems fail an otherwise passing spec, or are added as a note to a
failing one: tasks still running when the spec ends, aiohttp sessions left
open, coroutines that were never awaited.

Implementation notes (asyncio internals this module relies on, CPython 3.11+; the fault
tests in tests/test_guard.py and tests/test_hang_proof.py exercise each):

- *Stuck or busy* (`_Verdict._expire`): when the budget's timer fires, the loop has
  already popped it from ``loop._scheduled`` (its heap of timer handles) and
  ``loop._ready`` holds the callbacks due now. If neither holds a live handle, no
  timer or callback can ever wake the spec: it is stuck (a deadlock), found at once;
  otherwise it is busy past its budget (a livelock). Both are private lists of
  ``BaseEventLoop``; looptime keeps them as asyncio does.
- *A task that refuses cancellation* (`_abort`): after `CANCEL_STRIKES` refused
  ``cancel()`` calls, the future the task awaits (``task._fut_waiter``, set by
  ``Task.__step`` while it waits) is failed with `SpecAbort`, a BaseException the
  learner's ``except CancelledError``/``except Exception`` does not catch. looptime
  ends overdue tasks the same way.
- *Taking back the kit's own cancellations*: the verdict cancels the spec's task to
  end it; ``Task.uncancel()`` is called once per such cancel (``spec_cancels``), so a
  cancellation requested by the learner's code keeps its count.
- *Unretrieved task errors* (`_unretrieved`): a Task that failed and was never awaited
  has ``_log_traceback`` set; asyncio would log it when the task is collected, after
  the report. Reading ``task.exception()`` here names it in the spec's message and
  clears the flag.
- *Tasks created by the spec*: a task factory (``loop.set_task_factory``) records each
  task, chained to any factory already set.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import socket
import sys
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import aiohttp
import pytest

from specs import watchdog
from specs.http import sessions_opened
from specs.implementation import is_learner_file
from specs.loopwatch import LoopWatch, awaiting
from specs.messages import callers, place

DEFAULT_BUDGET_S = 300.0
BLOCKED_WALL_MARGIN_S = 0.5
SETTLE_CYCLES = 5
CANCEL_STRIKES = 3  # cancellations refused before a task is aborted

BLOCKING_SLEEP = (
    "time.sleep blocks the event loop; use await asyncio.sleep: "
    "your code called time.sleep({seconds}) inside a coroutine{where}, so no other task could run"
)
BLOCKED_WALL = (
    "the event loop was blocked: the spec took {wall:.2f} s of wall time but only "
    "{loop:.2f} s of loop time passed. A blocking call (time.sleep, requests, a busy loop) "
    "ran inside a coroutine; await an asyncio equivalent instead"
)
STUCK = (
    "stuck: after {elapsed:g} s of loop time nothing was left to run, but the spec was still "
    "waiting for your code. Every task is waiting for something that will never happen "
    "(a deadlock: a future nobody resolves, a lock never released, an event never set)"
)
LIVELOCK = (
    "still running after {budget:g} s of loop time, far longer than this spec needs: "
    "an endless loop of sleeps or retries, or a wait much longer than asked"
)
SWALLOWS_CANCEL = (
    "it also swallows cancellation: an `except asyncio.CancelledError` (or `except "
    "BaseException`) that does not re-raise kept it running after it was cancelled"
)
UNHANDLED = (
    "the event loop reported an error nobody handled: {message}. A task whose exception is "
    "never retrieved, or a callback that raises, hides a failure: await your tasks"
)
UNRETRIEVED = (
    "the task {task} failed with {error} and nobody awaited it: its error was never "
    "retrieved. Await every task you create (or gather them), so that failures reach you"
)
PROGRAM_EXIT = (
    "your code raised {error}: {name} ends the whole program (it is what Ctrl-C and "
    "sys.exit() raise), so a caller cannot handle it. Raise an Exception (ValueError, "
    "RuntimeError, ...) to report a failure"
)
NETWORK = (
    "your code tried to reach the real network ({what}); specs never touch the network. "
    "Use the session you are given, or aiohttp as the kata says: the spec mocks every URL"
)


class RealNetworkError(ConnectionRefusedError):
    """Raised instead of a real socket operation while a spec runs."""


class SpecAbort(BaseException):
    """Thrown into a task that refuses to be cancelled, so that the spec can end."""


def _abort(task: asyncio.Task[Any]) -> None:
    """End a task that swallows cancellation: fail the future it waits on (as looptime does)."""
    waiter = getattr(task, "_fut_waiter", None)
    if waiter is not None and not waiter.done():
        waiter.set_exception(SpecAbort(SWALLOWS_CANCEL))
    else:
        task.cancel()


class _Verdict:
    """Ends the spec when a probe finds it hung, and says why (the first cause found wins).

    The loop-time budget is one probe; the spin detector (`specs.loopwatch`) and the
    watchdog thread (`specs.watchdog`) are the others. Each call to `end` is one strike:
    the spec (and the tasks named) are cancelled, and after `CANCEL_STRIKES` refused
    cancellations they are aborted.
    """

    def __init__(self, task: asyncio.Task[Any], budget: float) -> None:
        self._task = task
        self._loop = task.get_loop()
        self._start = self._loop.time()
        self._budget = budget
        self.message: str | None = None
        self._strikes = 0
        self.spec_cancels = 0  # how often this verdict cancelled the spec itself
        self._handle = self._loop.call_at(self._start + budget, self._expire)

    def _expire(self) -> None:
        # Our handle has been popped: anything still scheduled, or due now, is someone else's.
        pending = [*self._loop._scheduled, *self._loop._ready]  # type: ignore[attr-defined]
        others = [h for h in pending if not h.cancelled()]
        elapsed = self._loop.time() - self._start
        self.end((STUCK.format(elapsed=elapsed) if not others
                  else LIVELOCK.format(budget=self._budget)) + waiting_at(self._loop))
        self._handle = self._loop.call_later(1.0, self._expire)

    def end(self, message: str, tasks: list[asyncio.Task[Any]] | tuple[()] = ()) -> None:
        """One strike: cancel the spec and `tasks`; abort them once cancelling has failed.

        Does nothing once the spec's body has ended (a late call from another thread)."""
        if not self.active:
            return
        if self.message is None:
            self.message = message
        self._strikes += 1
        if self._strikes == CANCEL_STRIKES + 1:
            self.message += f"; {SWALLOWS_CANCEL}"
        for task in dict.fromkeys([self._task, *tasks]):
            if self._strikes <= CANCEL_STRIKES:
                if task.cancel() and task is self._task:
                    self.spec_cancels += 1
            else:
                _abort(task)

    @property
    def active(self) -> bool:
        return not self._handle.cancelled()

    def stop(self) -> None:
        self._handle.cancel()


def _strike(tasks: list[asyncio.Task[Any]]) -> None:
    """Outside a spec (its teardown): cancel the tasks a probe named, or abort them."""
    for task in tasks:
        if task.cancelling() < CANCEL_STRIKES:
            task.cancel()
        else:
            _abort(task)


class _Recorder:
    """What the traps saw during one spec."""

    def __init__(self) -> None:
        self.faults: list[str] = []
        self.sessions: list[aiohttp.ClientSession] = []


_active: _Recorder | None = None


def _sleep(seconds: float) -> None:
    if _active is not None and _in_event_loop():
        caller = sys._getframe(1)
        learner = next((f for f in callers(caller) if is_learner_file(f.f_code.co_filename)),
                       None)
        where = f", in {place(learner, source=True)}" if learner else ""
        _active.faults.append(BLOCKING_SLEEP.format(seconds=seconds, where=where))
        return  # recorded, and not slept: the spec fails fast instead of slowly
    _REAL[time, "sleep"](seconds)


def waiting_at(loop: asyncio.AbstractEventLoop) -> str:
    """``; your code was waiting at f() at katas/k/m.py:7 (`await x`)``: the learner's lines
    that the loop's tasks are suspended on (the deepest of each task's await chain; three at
    most), for a spec that is stuck or over its budget; "" when none is the learner's."""
    places: list[str] = []
    for task in asyncio.all_tasks(loop):
        learner = [f for f in awaiting(task.get_coro()) if is_learner_file(f.f_code.co_filename)]
        if learner:
            places.append(place(learner[-1], source=True))
    places = sorted(dict.fromkeys(places))
    if not places:
        return ""
    return "; your code was waiting at " + "; and at ".join(places[:3]) + (
        f" (and {len(places) - 3} more)" if len(places) > 3 else "")


def _refuser(owner: Any, name: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        if _active is None:
            return _REAL[owner, name](*args, **kwargs)
        target = args[1] if name.startswith("connect") else args[0]
        message = NETWORK.format(what=f"{name} {target!r}")
        _active.faults.append(message)
        raise RealNetworkError(message)

    return refuse


_TRAPS = {(time, "sleep"): _sleep,
          **{(owner, name): _refuser(owner, name)
             for owner, name in [(socket.socket, "connect"), (socket.socket, "connect_ex"),
                                 (socket, "getaddrinfo")]}}
_REAL = {(owner, name): getattr(owner, name) for owner, name in _TRAPS}


def install() -> None:
    """Set the traps for blocking sleeps and real network use (once per test session).

    They are installed for the whole session, not per spec, so that learner code
    that did ``from time import sleep`` holds the trap too; they act only while
    a spec runs, and fall through to the real functions otherwise.
    """
    for (owner, name), trap in _TRAPS.items():
        setattr(owner, name, trap)


def uninstall() -> None:
    """Put the real functions back."""
    for (owner, name), real in _REAL.items():
        setattr(owner, name, real)


@contextlib.contextmanager
def _unhandled_errors(loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """Collects what the loop reports to its exception handler while the block runs."""
    reported: list[str] = []

    def report(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        reported.append(f"{context.get('message', '?')}" + (f" ({error!r})" if error else ""))

    previous = loop.get_exception_handler()
    loop.set_exception_handler(report)
    try:
        yield reported
    finally:
        loop.set_exception_handler(previous)


@contextlib.contextmanager
def _recording() -> Iterator[_Recorder]:
    global _active
    recorder = _Recorder()
    _active = recorder
    try:
        with sessions_opened() as recorder.sessions:
            yield recorder
    finally:
        _active = None


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _describe_task(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", None) or repr(coro)
    return f"{name}() (task {task.get_name()})"


async def _leaked_tasks(mine: asyncio.Task[Any], before: set[asyncio.Task[Any]]) -> list[str]:
    """Tasks the spec left running; they are cancelled and awaited here."""
    for _ in range(SETTLE_CYCLES):  # let tasks that were just cancelled finish
        await asyncio.sleep(0)
    leaked = [t for t in asyncio.all_tasks() if t is not mine and t not in before and not t.done()]
    if not leaked:
        return []
    names = [_describe_task(t) for t in leaked]
    for task in leaked:
        task.cancel()
    _, stubborn = await asyncio.wait(leaked, timeout=1.0)
    for task in stubborn:
        _abort(task)
    if stubborn:
        await asyncio.wait(stubborn, timeout=1.0)
    return [
        f"{len(leaked)} task(s) still running after the call returned: {', '.join(names)}. "
        "Every task you start must finish, or be cancelled and awaited, before you return"
        + (f"; {len(stubborn)} of them {SWALLOWS_CANCEL}" if stubborn else "")
    ]


async def _unclosed_sessions(sessions: list[aiohttp.ClientSession]) -> list[str]:
    unclosed = [s for s in sessions if not s.closed]
    for session in unclosed:
        await session.close()
    if not unclosed:
        return []
    return [
        f"{len(unclosed)} aiohttp.ClientSession(s) left open. Close every session you create: "
        "`async with aiohttp.ClientSession() as session:` does it even when an error occurs"
    ]


NEVER_AWAITED = (
    "{text}: calling an async function only creates a coroutine; `await` it, or pass it to "
    "asyncio.create_task/gather"
)


def _never_awaited(caught: list[warnings.WarningMessage]) -> list[str]:
    notes = []
    for warning in caught:
        text = str(warning.message)
        if issubclass(warning.category, RuntimeWarning) and "was never awaited" in text:
            notes.append(NEVER_AWAITED.format(text=text))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    return list(dict.fromkeys(notes))  # one note per coroutine, however often it was made


def _unawaited_held_by(error: BaseException | None) -> list[Coroutine[Any, Any, Any]]:
    """Coroutines never started that the frames of `error`'s traceback still hold (in a
    local, or a list, tuple, set or dict in one), through its causes and groups too."""
    found: dict[int, Coroutine[Any, Any, Any]] = {}
    seen: set[int] = set()
    pending = [error] if error is not None else []
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        if isinstance(current, BaseExceptionGroup):
            pending += list(current.exceptions)
        tb = current.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                inside = (value.values() if isinstance(value, dict)
                          else value if isinstance(value, list | tuple | set) else [value])
                for item in list(inside):
                    if (inspect.iscoroutine(item)
                            and inspect.getcoroutinestate(item) == inspect.CORO_CREATED):
                        found[id(item)] = item
            tb = tb.tb_next
    return list(found.values())


def leftovers(error: BaseException | None) -> list[str]:
    """Coroutines the behaviour made and never awaited, found before the next one runs.

    A coroutine dropped in a reference cycle is only finalized (and warned about) by a later
    garbage collection, and one that a failing behaviour's traceback holds lives on (pytest
    keeps the last failure for post-mortem debugging): either way another behaviour would
    be blamed. So at each behaviour's end, the coroutines `error` still holds are closed
    and named, a full collection finalizes the rest, and everything still alive is frozen
    (`gc.freeze`): a later collection never sees it, and costs only what came after it.
    """
    held = _unawaited_held_by(error)
    names = [getattr(coroutine, "__qualname__", repr(coroutine)) for coroutine in held]
    notes = [NEVER_AWAITED.format(text=f"coroutine {name!r} was never awaited") for name in names]
    for coroutine in held:
        coroutine.close()  # closed, it is finalized without the warning named here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    gc.freeze()
    return list(dict.fromkeys(notes + _never_awaited(caught)))


class _Spins:
    """Where a loop's spin detector reports: the running spec's verdict, or (after the spec's
    body) straight to the tasks that keep waking, with the message kept for the spec."""

    def __init__(self) -> None:
        self.verdict: _Verdict | None = None
        self.late: list[str] = []

    def report(self, message: str, tasks: list[asyncio.Task[Any]]) -> None:
        if self.verdict is not None:
            self.verdict.end(message, tasks)
        else:
            self.late.append(message)
            _strike([task for task in tasks if task is not asyncio.current_task()])


def _watch_loop(loop: asyncio.AbstractEventLoop) -> _Spins:
    """The spin detector of `loop` (installed once, for the loop's life)."""
    spins: _Spins | None = getattr(loop, "_spec_spins", None)
    if spins is None:
        spins = _Spins()
        dog = watchdog.current()
        LoopWatch(loop, beat=dog.beat if dog else (lambda: None), on_spin=spins.report,
                  is_learner_file=is_learner_file)
        loop._spec_spins = spins  # type: ignore[attr-defined]
    return spins


@contextlib.contextmanager
def _tasks_created(loop: asyncio.AbstractEventLoop) -> Iterator[list[asyncio.Task[Any]]]:
    """Every task created on `loop` while the block runs (through a task factory)."""
    created: list[asyncio.Task[Any]] = []
    previous = loop.get_task_factory()

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> Any:
        task: Any = (previous(loop, coro, **options) if previous
                     else asyncio.Task(coro, loop=loop, **options))
        created.append(task)  # a task factory makes tasks
        return task

    loop.set_task_factory(factory)
    try:
        yield created
    finally:
        loop.set_task_factory(previous)


def _unretrieved(tasks: list[asyncio.Task[Any]]) -> list[str]:
    """Tasks that failed while nobody awaited them: reported here, inside the spec, and
    marked retrieved (asyncio would log them later, after the report, when collected)."""
    notes = []
    for task in tasks:
        if task.done() and not task.cancelled() and getattr(task, "_log_traceback", False):
            error = task.exception()
            notes.append(UNRETRIEVED.format(task=_describe_task(task), error=repr(error)))
    return notes


def exit_fault(error: BaseException) -> str | None:
    """The message for KeyboardInterrupt/SystemExit raised by learner code (not by Ctrl-C)."""
    dog = watchdog.current()
    if not isinstance(error, KeyboardInterrupt | SystemExit) or (
            dog is not None and dog.user_interrupted):
        return None
    return PROGRAM_EXIT.format(error=repr(error), name=type(error).__name__)


async def run_guarded(test: Callable[..., Awaitable[Any]], kwargs: dict[str, Any],
                      budget: float = DEFAULT_BUDGET_S,
                      looped: Callable[[float], None] = lambda seconds: None) -> None:
    """Run one async spec under every probe; fail it with a message naming the fault.

    `looped` is told how many seconds of loop time the spec's body took.
    """
    loop = asyncio.get_running_loop()
    mine = asyncio.current_task()
    assert mine is not None
    before = asyncio.all_tasks()
    spins = _watch_loop(loop)
    dog = watchdog.current()
    error: BaseException | None = None
    with (_unhandled_errors(loop) as unhandled, warnings.catch_warnings(record=True) as caught,
          _recording() as recorder, _tasks_created(loop) as created):
        warnings.simplefilter("always")
        verdict = spins.verdict = _Verdict(mine, budget)
        if dog is not None:
            def hung(message: str) -> None:  # called from the watchdog's thread
                loop.call_soon_threadsafe(verdict.end, message)

            dog.on_hang(hung)
        wall_start, loop_start = time.perf_counter(), loop.time()
        try:
            await test(**kwargs)
        except (asyncio.CancelledError, SpecAbort) as cancelled:
            if verdict.message is None:
                raise
            error = cancelled
        except BaseException as failure:  # re-raised below, with notes
            error = failure
        finally:
            verdict.stop()
            spins.verdict = None
            if dog is not None:
                dog.on_hang(None)
        wall, loop_elapsed = time.perf_counter() - wall_start, loop.time() - loop_start
        looped(loop_elapsed)
        for _ in range(verdict.spec_cancels):  # take back our own cancellations, only those
            mine.uncancel()
        hygiene = await _leaked_tasks(mine, before)
        hygiene += await _unclosed_sessions(recorder.sessions)
        hygiene += _unretrieved(created)
    hygiene += _never_awaited(caught)
    hygiene += [UNHANDLED.format(message=message) for message in unhandled]

    faults = list(dict.fromkeys(recorder.faults))
    if verdict.message is not None:
        faults.append(verdict.message)
    if isinstance(error, watchdog.Hung):
        faults.append(str(error))
    if dog is not None and dog.cause() is not None:
        faults.append(str(dog.cause()))
    faults += spins.late
    exited = exit_fault(error) if error is not None else None
    if exited is not None:
        faults.append(exited)
    if not faults and wall > loop_elapsed + BLOCKED_WALL_MARGIN_S:
        faults.append(BLOCKED_WALL.format(wall=wall, loop=loop_elapsed))
    if faults:
        pytest.fail("\n".join(list(dict.fromkeys(faults)) + hygiene), pytrace=False)
    if error is not None:
        for note in hygiene:
            error.add_note(f"Also: {note}")
        raise error
    if hygiene:
        pytest.fail("\n".join(hygiene), pytrace=False)
